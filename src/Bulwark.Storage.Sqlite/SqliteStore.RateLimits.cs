using Bulwark.Core.RateLimits;
using Bulwark.Core.Tenancy;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// NET-3: one row per (tenant, subject, bucket) holds the current and the previous fixed window's
// counts. One upsert rolls the row to the window of "now", decides with the sliding estimate of
// RateWindows.Estimate, counts the request only when admitted and returns the outcome. Every SET
// expression reads the row as it was before the statement.
public sealed partial class SqliteStore : IRateLimitStore
{
    private const string TakeSql =
        $"INSERT INTO rate_windows AS w ({RateWindowRow.InsertColumns}) "
        + "VALUES (@TenantId, @Subject, @Bucket, @WindowStart, 1, 0, 1) "
        + "ON CONFLICT (tenant_id, subject, bucket) DO UPDATE SET "
        + RateWindowRow.RollCounts
        // A node whose clock is behind never moves the window back (it counts in the newer one).
        + "window_start = CASE WHEN w.window_start > @WindowStart THEN w.window_start ELSE @WindowStart END "
        + "RETURNING last_admitted, hits, previous_hits";

    public Task<RateWindowState> TakeAsync(TenantScope tenant, RateWindowTake take, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var parameters = RateWindowRow.From(tenant.TenantId, take);
        return WriteAsync(
            async (c, tx) =>
            {
                var row = await c.Db.QuerySingleAsync<(long Admitted, long Hits, long PreviousHits)>(TakeSql, parameters, tx);
                return new RateWindowState(row.Admitted != 0, row.Hits, row.PreviousHits);
            },
            ct);
    }
}
