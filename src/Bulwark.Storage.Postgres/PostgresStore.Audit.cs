using Bulwark.Core.Audit;
using Bulwark.Core.Tenancy;
using Dapper;

namespace Bulwark.Storage.Postgres;

// Audit (AUD-1/AUD-2): appended under the entry's own tenant (none for a system event, which the
// application may append but never read back), sealed into its chain (PostgresStore.AuditChain.cs);
// the table's triggers refuse any update, and any delete but the system role's (retention, purge).
public sealed partial class PostgresStore
{
    private const int MaxAuditPage = 1000;

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(TenantScope scope, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var clamped = Math.Clamp(limit, 1, MaxAuditPage);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                var rows = await tx.Connection.QueryAsync<AuditRow>(
                    $"SELECT {AuditRow.Columns} FROM audit_log ORDER BY seq DESC LIMIT @clamped",
                    new { clamped },
                    tx.Transaction);
                return (IReadOnlyList<AuditEntry>)rows.Select(r => r.ToEntry()).ToList();
            },
            ct);
    }

    // NET-3: rate limits that hold across nodes count the tenant's own entries in a window.
    public Task<AuditTally> CountAuditAsync(TenantScope scope, string action, string outcome, DateTimeOffset since, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentException.ThrowIfNullOrEmpty(outcome);
        var sinceMs = UnixMs.From(since);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                var row = await tx.Connection.QuerySingleAsync<(long Count, long? Earliest)>(
                    "SELECT count(*), min(at) FROM audit_log WHERE action = @action AND outcome = @outcome AND at >= @sinceMs",
                    new { action, outcome, sinceMs },
                    tx.Transaction);
                return new AuditTally((int)row.Count, UnixMs.To(row.Earliest));
            },
            ct);
    }
}
