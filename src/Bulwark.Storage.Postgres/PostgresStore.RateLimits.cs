using Bulwark.Core.RateLimits;
using Bulwark.Core.Tenancy;
using Dapper;

namespace Bulwark.Storage.Postgres;

// NET-3: one row per (tenant, subject, bucket) under the tenant wall holds the current and the
// previous fixed window's counts. One upsert rolls the row to the window of "now", decides with
// the sliding estimate of RateWindows.Estimate, counts the request only when admitted and returns
// the outcome; the row lock of ON CONFLICT makes concurrent takes on every node queue behind each
// other, so the count per window is exact across nodes. Every SET expression reads the old row.
public sealed partial class PostgresStore : IRateLimitStore
{
    private const string RolledPrevious =
        "CASE WHEN w.window_start >= @WindowStart THEN w.previous_hits "
        + "WHEN w.window_start = @WindowStart - @Width THEN w.hits ELSE 0 END";

    private const string RolledCurrent = "CASE WHEN w.window_start >= @WindowStart THEN w.hits ELSE 0 END";

    private const string Admits = "((" + RolledPrevious + ") * @Remaining / @Width + (" + RolledCurrent + ") < @Limit)";

    private const string TakeSql =
        "INSERT INTO rate_windows AS w (tenant_id, subject, bucket, window_start, hits, previous_hits, last_admitted) "
        + "VALUES (@TenantId, @Subject, @Bucket, @WindowStart, 1, 0, true) "
        + "ON CONFLICT (tenant_id, subject, bucket) DO UPDATE SET "
        + "previous_hits = " + RolledPrevious + ", "
        + "hits = (" + RolledCurrent + ") + CASE WHEN " + Admits + " THEN 1 ELSE 0 END, "
        + "last_admitted = " + Admits + ", "
        // A node whose clock is behind never moves the window back (it counts in the newer one).
        + "window_start = GREATEST(w.window_start, @WindowStart) "
        + "RETURNING last_admitted, hits, previous_hits";

    public Task<RateWindowState> TakeAsync(TenantScope tenant, RateWindowTake take, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(take);
        ArgumentException.ThrowIfNullOrEmpty(take.Subject);
        ArgumentOutOfRangeException.ThrowIfLessThan(take.Limit, 1);
        var parameters = new
        {
            tenant.TenantId,
            take.Subject,
            take.Bucket,
            WindowStart = take.WindowStartMs,
            Width = take.WidthMs,
            Remaining = take.RemainingMs,
            Limit = (long)take.Limit,
        };
        return InTenantAsync(
            tenant.TenantId,
            async tx =>
            {
                var row = await tx.Connection.QuerySingleAsync<(bool Admitted, long Hits, long PreviousHits)>(
                    TakeSql, parameters, tx.Transaction);
                return new RateWindowState(row.Admitted, row.Hits, row.PreviousHits);
            },
            ct);
    }
}
