using Bulwark.Core.Audit;
using Bulwark.Core.Tenancy;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// Audit counts for limits that must hold across nodes (NET-3): the audit log is the shared record.
public sealed partial class SqliteStore
{
    public Task<AuditTally> CountAuditAsync(TenantScope scope, string action, string outcome, DateTimeOffset since, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentException.ThrowIfNullOrEmpty(outcome);
        var sinceMs = UnixMs.From(since);
        return ReadAsync(
            async c =>
            {
                var row = await c.Db.QuerySingleAsync<(long Count, long? Earliest)>(
                    "SELECT count(*), min(at) FROM audit_log "
                    + "WHERE tenant_id = @TenantId AND action = @action AND outcome = @outcome AND at >= @sinceMs",
                    new { scope.TenantId, action, outcome, sinceMs });
                return new AuditTally((int)row.Count, UnixMs.To(row.Earliest));
            },
            ct);
    }
}
