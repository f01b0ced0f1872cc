using Bulwark.Core.Identity;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// Revocations (AUTH-5) and tenant suspension (TEN-4): written by operator commands and the API,
// read whole by every node's revocation cache. Cross-tenant by design, like the worker side.
public sealed partial class SqliteStore
{
    private const string InsertRevocationSql =
        "INSERT INTO revocations (id, kind, tenant_id, value, created_at, expires_at, reason, actor) "
        + "VALUES (@Id, @Kind, @TenantId, @Value, @CreatedAt, @ExpiresAt, @Reason, @Actor)";

    public Task AddRevocationAsync(Revocation revocation, CancellationToken ct)
    {
        var row = RevocationRow.From(revocation);
        return WriteAsync(async (c, tx) => await c.Db.ExecuteAsync(InsertRevocationSql, row, tx), ct);
    }

    public Task<IReadOnlyList<Revocation>> ListRevocationsAsync(DateTimeOffset now, CancellationToken ct) =>
        ReadAsync(
            async c =>
            {
                var rows = await c.Db.QueryAsync<RevocationRow>(
                    $"SELECT {RevocationRow.Columns} FROM revocations WHERE expires_at IS NULL OR expires_at > @Now ORDER BY id",
                    new { Now = UnixMs.From(now) });
                return (IReadOnlyList<Revocation>)rows.Select(r => r.ToRevocation()).ToList();
            },
            ct);

    public Task<bool> SetTenantSuspendedAsync(string tenantName, bool suspended, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantName);
        return WriteAsync(
            async (c, tx) => await c.Db.ExecuteAsync(
                "UPDATE tenants SET suspended = @Suspended WHERE name = @tenantName",
                new { tenantName, Suspended = suspended ? 1 : 0 },
                tx) == 1,
            ct);
    }
}
