using Bulwark.Core.Keys;
using Bulwark.Core.Tenancy;
using Dapper;
using Npgsql;

namespace Bulwark.Storage.Postgres;

// Operator side: tenants and API keys (TEN-3). Creating a tenant or a key runs under that tenant;
// finding by name, listing, suspending, bootstrapping and the key lookup of authentication cross
// tenants, so they are the cross-tenant functions of the same names.
public sealed partial class PostgresStore
{
    private const string InsertTenantSql =
        "INSERT INTO tenants (id, name, created_at, suspended) VALUES (@Id, @Name, @CreatedAt, @Suspended)";

    private const string InsertApiKeySql =
        "INSERT INTO api_keys (id, tenant_id, name, scopes, secret_hash, created_at, expires_at, revoked_at) "
        + "VALUES (@Id, @TenantId, @Name, @Scopes, @SecretHash, @CreatedAt, @ExpiresAt, @RevokedAt)";

    public Task<bool> TryBootstrapAsync(Tenant tenant, ApiKeyRecord adminKey, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(adminKey);
        var key = ApiKeyRow.From(adminKey);
        return OutsideTenantsAsync(
            connection => connection.ExecuteScalarAsync<bool>(
                "SELECT bootstrap_tenant(@TenantId, @TenantName, @TenantCreatedAt, @Suspended, "
                + "@Id, @Name, @Scopes, @SecretHash, @CreatedAt, @ExpiresAt, @RevokedAt)",
                new
                {
                    TenantId = tenant.Id,
                    TenantName = tenant.Name,
                    TenantCreatedAt = UnixMs.From(tenant.CreatedAt),
                    tenant.Suspended,
                    key.Id,
                    key.Name,
                    key.Scopes,
                    key.SecretHash,
                    key.CreatedAt,
                    key.ExpiresAt,
                    key.RevokedAt,
                }),
            ct);
    }

    public Task CreateTenantAsync(Tenant tenant, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);

        // A new tenant's row is written under its own id. Names are unique across tenants by
        // design (operators address tenants by name), so a taken name is a conflict.
        return InTenantAsync(
            tenant.Id,
            async tx =>
            {
                try
                {
                    return await tx.Connection.ExecuteAsync(
                        InsertTenantSql,
                        new { tenant.Id, tenant.Name, CreatedAt = UnixMs.From(tenant.CreatedAt), tenant.Suspended },
                        tx.Transaction);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    throw StoreErrors.TenantTaken(tenant.Name);
                }
            },
            ct);
    }

    public Task<Tenant?> FindTenantByNameAsync(string name, CancellationToken ct) =>
        OutsideTenantsAsync(
            async connection => (await connection.QuerySingleOrDefaultAsync<TenantRow>(
                $"SELECT {TenantRow.Columns} FROM find_tenant_by_name(@name)", new { name }))?.ToTenant(),
            ct);

    public Task<Tenant?> FindTenantByIdAsync(string id, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(id))
        {
            // No tenant has an empty id (and an empty setting would mean "no tenant").
            return Task.FromResult<Tenant?>(null);
        }

        // Under the tenant itself: only its own row is visible.
        return InTenantAsync(
            id,
            async tx => (await tx.Connection.QuerySingleOrDefaultAsync<TenantRow>(
                $"SELECT {TenantRow.Columns} FROM tenants", transaction: tx.Transaction))?.ToTenant(),
            ct);
    }

    public Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken ct) =>
        OutsideTenantsAsync(
            async connection =>
            {
                var rows = await connection.QueryAsync<TenantRow>($"SELECT {TenantRow.Columns} FROM list_tenants() ORDER BY name");
                return (IReadOnlyList<Tenant>)rows.Select(r => r.ToTenant()).ToList();
            },
            ct);

    public Task CreateApiKeyAsync(ApiKeyRecord key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        return InTenantAsync(
            key.TenantId,
            tx => tx.Connection.ExecuteAsync(InsertApiKeySql, ApiKeyRow.From(key), tx.Transaction),
            ct);
    }

    public Task<ApiKeyRecord?> FindApiKeyAsync(string keyId, CancellationToken ct) =>
        OutsideTenantsAsync(
            async connection => (await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(
                $"SELECT {ApiKeyRow.Columns} FROM find_api_key(@keyId)", new { keyId }))?.ToRecord(),
            ct);

    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(TenantScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                var rows = await tx.Connection.QueryAsync<ApiKeyRow>(
                    $"SELECT {ApiKeyRow.Columns} FROM api_keys ORDER BY created_at, id", transaction: tx.Transaction);
                return (IReadOnlyList<ApiKeyRecord>)rows.Select(r => r.ToRecord()).ToList();
            },
            ct);
    }

    public Task<bool> RevokeApiKeyAsync(string keyId, DateTimeOffset at, CancellationToken ct) =>
        OutsideTenantsAsync(
            connection => connection.ExecuteScalarAsync<bool>(
                "SELECT revoke_api_key(@keyId, @At)", new { keyId, At = UnixMs.From(at) }),
            ct);

    public Task<bool> SetTenantSuspendedAsync(string tenantName, bool suspended, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantName);
        return OutsideTenantsAsync(
            connection => connection.ExecuteScalarAsync<bool>(
                "SELECT set_tenant_suspended(@tenantName, @suspended)", new { tenantName, suspended }),
            ct);
    }
}
