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
    private const string TakeSql =
        $"INSERT INTO rate_windows AS w ({RateWindowRow.InsertColumns}) "
        + "VALUES (@TenantId, @Subject, @Bucket, @WindowStart, 1, 0, true) "
        + "ON CONFLICT (tenant_id, subject, bucket) DO UPDATE SET "
        + RateWindowRow.RollCounts
        // A node whose clock is behind never moves the window back (it counts in the newer one).
        + "window_start = GREATEST(w.window_start, @WindowStart) "
        + "RETURNING last_admitted, hits, previous_hits";

    public Task<RateWindowState> TakeAsync(TenantScope tenant, RateWindowTake take, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var parameters = RateWindowRow.From(tenant.TenantId, take);
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
