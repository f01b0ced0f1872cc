using Bulwark.Core.Identity;
using Dapper;

namespace Bulwark.Storage.Postgres;

// Revocations (AUTH-5): appended under their tenant (a jti revoked in every tenant through its
// cross-tenant function), read whole by every node's revocation cache through list_revocations.
public sealed partial class PostgresStore
{
    public Task AddRevocationAsync(Revocation revocation, CancellationToken ct)
    {
        var parameters = RevocationRow.From(revocation);
        if (revocation.TenantId is null)
        {
            return OutsideTenantsAsync(
                connection => connection.ExecuteAsync(
                    "SELECT add_global_revocation(@Id, @Value, @CreatedAt, @ExpiresAt, @Reason, @Actor)", parameters),
                ct);
        }

        return InTenantAsync(
            revocation.TenantId,
            tx => tx.Connection.ExecuteAsync(
                "INSERT INTO revocations (id, kind, tenant_id, value, created_at, expires_at, reason, actor) "
                + "VALUES (@Id, @Kind, @TenantId, @Value, @CreatedAt, @ExpiresAt, @Reason, @Actor)",
                parameters,
                tx.Transaction),
            ct);
    }

    public Task<IReadOnlyList<Revocation>> ListRevocationsAsync(DateTimeOffset now, CancellationToken ct) =>
        OutsideTenantsAsync(
            async connection =>
            {
                var rows = await connection.QueryAsync<RevocationRow>(
                    $"SELECT {RevocationRow.Columns} FROM list_revocations(@Now) ORDER BY id", new { Now = UnixMs.From(now) });
                return (IReadOnlyList<Revocation>)rows.Select(r => r.ToRevocation()).ToList();
            },
            ct);
}
