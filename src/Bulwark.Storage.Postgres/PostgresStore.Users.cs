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
                // The tenant comes from the scope, never from the record, so a caller cannot file a
                // user under another tenant (and the policy would refuse it).
                var parameters = new
                {
                    TenantId = tx.TenantId,
                    user.Subject,
                    user.Email,
                    Roles = string.Join(' ', user.Roles),
                    FirstSeen = UnixMs.From(user.FirstSeen),
                    LastSeen = UnixMs.From(user.LastSeen),
                };
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
                    "SELECT tenant_id AS TenantId, subject AS Subject, email AS Email, roles AS Roles, "
                    + "first_seen AS FirstSeen, last_seen AS LastSeen FROM users WHERE subject = @subject",
                    new { subject },
                    tx.Transaction);
                return row is null
                    ? null
                    : new UserRecord(
                        row.TenantId,
                        row.Subject,
                        row.Email,
                        row.Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                        UnixMs.To(row.FirstSeen),
                        UnixMs.To(row.LastSeen));
            },
            ct);
    }

    private sealed class UserRow
    {
        public string TenantId { get; set; } = "";
        public string Subject { get; set; } = "";
        public string? Email { get; set; }
        public string Roles { get; set; } = "";
        public long FirstSeen { get; set; }
        public long LastSeen { get; set; }
    }
}
