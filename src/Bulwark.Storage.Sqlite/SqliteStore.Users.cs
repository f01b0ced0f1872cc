using Bulwark.Core.Identity;
using Bulwark.Core.Tenancy;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// Users known from JWTs (AUTH-6): provisioned on first sight, tenant-scoped like every row (TEN-1).
public sealed partial class SqliteStore
{
    public Task<bool> EnsureUserAsync(TenantScope scope, UserRecord user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(user);
        return WriteAsync(
            async (c, tx) =>
            {
                var parameters = UserRow.From(scope.TenantId, user);
                var created = await c.Db.ExecuteAsync(
                    "INSERT INTO users (tenant_id, subject, email, roles, first_seen, last_seen) "
                    + "VALUES (@TenantId, @Subject, @Email, @Roles, @FirstSeen, @LastSeen) "
                    + "ON CONFLICT (tenant_id, subject) DO NOTHING",
                    parameters,
                    tx);
                if (created == 0)
                {
                    await c.Db.ExecuteAsync(
                        "UPDATE users SET email = coalesce(@Email, email), roles = @Roles, last_seen = max(last_seen, @LastSeen) "
                        + "WHERE tenant_id = @TenantId AND subject = @Subject",
                        parameters,
                        tx);
                }

                return created != 0;
            },
            ct);
    }

    public Task<UserRecord?> FindUserAsync(TenantScope scope, string subject, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c =>
            {
                var row = await c.Db.QuerySingleOrDefaultAsync<UserRow>(
                    $"SELECT {UserRow.Columns} FROM users WHERE tenant_id = @TenantId AND subject = @subject",
                    new { scope.TenantId, subject });
                return row?.ToRecord();
            },
            ct);
    }
}
