using Bulwark.Core.Audit;
using Bulwark.Core.Tenancy;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// Audit (AUD-1/AUD-2): append (sealed into the entry's chain) and read; the table's triggers refuse
// any update, and any delete outside retention and purge.
public sealed partial class SqliteStore
{
    private const int MaxAuditPage = 1000;

    public Task AppendAuditAsync(AuditEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WriteAsync(
            async (c, tx) =>
            {
                await AppendSealedAsync(c, tx, entry, ct);
                return 0;
            },
            ct);
    }

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(TenantScope scope, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var clamped = Math.Clamp(limit, 1, MaxAuditPage);
        return ReadAsync(
            async c =>
            {
                var rows = await c.Db.QueryAsync<AuditRow>(
                    $"SELECT {AuditRow.Columns} FROM audit_log WHERE tenant_id = @TenantId ORDER BY seq DESC LIMIT @clamped",
                    new { scope.TenantId, clamped });
                return (IReadOnlyList<AuditEntry>)rows.Select(r => r.ToEntry()).ToList();
            },
            ct);
    }
}
