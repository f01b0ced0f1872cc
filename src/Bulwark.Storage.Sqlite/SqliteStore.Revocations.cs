using Bulwark.Core.Identity;
using Bulwark.Storage.Sqlite.Rows;
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
        ArgumentNullException.ThrowIfNull(revocation);
        if (revocation.TenantId is null && revocation.Kind != RevocationKind.Jti)
        {
            throw new ArgumentException("Only a jti revocation may hold in every tenant.", nameof(revocation));
        }

        return WriteAsync(
            async (c, tx) => await c.Db.ExecuteAsync(
                InsertRevocationSql,
                new
                {
                    revocation.Id,
                    Kind = revocation.Kind.ToName(),
                    revocation.TenantId,
                    revocation.Value,
                    CreatedAt = UnixMs.From(revocation.CreatedAt),
                    ExpiresAt = UnixMs.From(revocation.ExpiresAt),
                    revocation.Reason,
                    revocation.Actor,
                },
                tx),
            ct);
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
