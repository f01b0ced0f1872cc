using Bulwark.Core.Audit;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// TEN-4: the right to deletion. One write transaction removes every row of the tenant, children
// before parents, and records the purge (counts only) on the system chain.
public sealed partial class SqliteStore
{
    // Every table holding tenant rows, in an order the foreign keys allow; the purge tests compare
    // the schema's own list of tables against what is left, so a table missing here fails them.
    private static readonly (string Table, string Where)[] PurgeOrder =
    [
        ("job_logs", "tenant_id = @id"),
        ("job_variables", "tenant_id = @id"),
        ("attempts", "tenant_id = @id"),
        ("jobs", "tenant_id = @id"),
        ("manifests", "tenant_id = @id"),
        ("replay_bundles", "tenant_id = @id"),
        ("locks", "tenant_id = @id"),
        ("rate_windows", "tenant_id = @id"),
        ("flags", "tenant_id = @id"),
        ("events", "tenant_id = @id"),
        ("triggers", "tenant_id = @id"),
        ("users", "tenant_id = @id"),
        ("api_keys", "tenant_id = @id"),
        ("revocations", "tenant_id = @id"),
        ("templates", "tenant_id = @id"),
        ("audit_log", "tenant_id = @id OR chain = @id"),
        ("audit_chain_heads", "tenant_id = @id OR chain = @id"),
        ("tenants", "id = @id"),
    ];

    public Task<TenantPurge?> PurgeTenantAsync(string tenantName, AuditEntry record, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantName);
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync(
            async (c, tx) =>
            {
                var id = await c.Db.ExecuteScalarAsync<string?>(
                    "SELECT id FROM tenants WHERE name = @tenantName", new { tenantName }, tx);
                if (id is null)
                {
                    return null;
                }

                var rows = await WithAuditDeletePermitAsync(c, tx, async () =>
                {
                    var counts = new Dictionary<string, long>(StringComparer.Ordinal);
                    foreach (var (table, where) in PurgeOrder)
                    {
                        counts[table] = await c.Db.ExecuteAsync($"DELETE FROM {table} WHERE {where}", new { id }, tx);
                    }

                    return counts;
                });

                await AppendSealedAsync(c, tx, record with { TenantId = null, Target = id, DetailJson = AuditSeal.PurgeDetail(rows) }, ct);
                return new TenantPurge(id, rows);
            },
            ct);
    }
}
