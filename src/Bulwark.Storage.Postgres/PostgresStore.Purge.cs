using Bulwark.Core.Audit;
using Dapper;

namespace Bulwark.Storage.Postgres;

// TEN-4: the right to deletion. purge_tenant removes every row of the tenant (it alone may delete
// across the wall); the purge is recorded (counts only) on the system chain in the same transaction.
public sealed partial class PostgresStore
{
    public Task<TenantPurge?> PurgeTenantAsync(string tenantName, AuditEntry record, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantName);
        ArgumentNullException.ThrowIfNull(record);
        return InTenantAsync<TenantPurge?>(
            null,
            async tx =>
            {
                var removed = (await tx.Connection.QueryAsync<(string TenantId, string Table, long Removed)>(
                    "SELECT tenant_id, table_name, removed FROM purge_tenant(@tenantName)", new { tenantName }, tx.Transaction)).AsList();
                if (removed.Count == 0)
                {
                    return null;
                }

                var id = removed[0].TenantId;
                var rows = removed.ToDictionary(r => r.Table, r => r.Removed, StringComparer.Ordinal);
                await AppendSealedAsync(tx, record with { TenantId = null, Target = id, DetailJson = AuditSeal.PurgeDetail(rows) }, ct);
                return new TenantPurge(id, rows);
            },
            ct);
    }
}
