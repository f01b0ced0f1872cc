using Bulwark.Core.Identity;
using Bulwark.Core.Tenancy;
using Dapper;

namespace Bulwark.Storage.Postgres;

// Users known from JWTs (AUTH-6): provisioned on first sight, tenant-scoped like every row (TEN-1).
public sealed partial class PostgresStore
{
    public Task<bool> EnsureUserAsync(TenantScope scope, UserRecord user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(user);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                // The policy would refuse a user filed under another tenant too.
                var parameters = UserRow.From(tx.TenantId, user);
                var created = await tx.Connection.ExecuteAsync(
                    "INSERT INTO users (tenant_id, subject, email, roles, first_seen, last_seen) "
                    + "VALUES (@TenantId, @Subject, @Email, @Roles, @FirstSeen, @LastSeen) "
                    + "ON CONFLICT (tenant_id, subject) DO NOTHING",
                    parameters,
                    tx.Transaction);
                if (created == 0)
                {
                    await tx.Connection.ExecuteAsync(
                        "UPDATE users SET email = coalesce(@Email, email), roles = @Roles, last_seen = greatest(last_seen, @LastSeen) "
                        + "WHERE subject = @Subject",
                        parameters,
                        tx.Transaction);
                }

                return created != 0;
            },
            ct);
    }

    public Task<UserRecord?> FindUserAsync(TenantScope scope, string subject, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                var row = await tx.Connection.QuerySingleOrDefaultAsync<UserRow>(
                    $"SELECT {UserRow.Columns} FROM users WHERE subject = @subject", new { subject }, tx.Transaction);
                return row?.ToRecord();
            },
            ct);
    }
}
