using Bulwark.Core.Keys;
using Bulwark.Core.Tenancy;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite;

// Operator side: tenants and API keys (TEN-3: cross-tenant by design, reached only from
// operator commands and authentication).
public sealed partial class SqliteStore
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
        return WriteAsync(
            async (c, tx) =>
            {
                // Checked inside the immediate transaction, so two first starts racing on a fresh
                // file cannot both print an admin key (OPS-1).
                if (await c.Db.ExecuteScalarAsync<long>("SELECT EXISTS (SELECT 1 FROM tenants)", transaction: tx) != 0)
                {
                    return false;
                }

                await c.Db.ExecuteAsync(InsertTenantSql, TenantParameters(tenant), tx);
                await c.Db.ExecuteAsync(InsertApiKeySql, ApiKeyRow.From(adminKey), tx);
                return true;
            },
            ct);
    }

    public Task CreateTenantAsync(Tenant tenant, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return WriteAsync(
            async (c, tx) =>
            {
                var taken = await c.Db.ExecuteScalarAsync<long>(
                    "SELECT EXISTS (SELECT 1 FROM tenants WHERE name = @Name OR id = @Id)",
                    new { tenant.Name, tenant.Id },
                    tx);
                if (taken != 0)
                {
                    throw StoreErrors.TenantTaken(tenant.Name);
                }

                try
                {
                    await c.Db.ExecuteAsync(InsertTenantSql, TenantParameters(tenant), tx);
                }
                catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_CONSTRAINT)
                {
                    throw StoreErrors.TenantTaken(tenant.Name);
                }

                return 0;
            },
            ct);
    }

    public Task<Tenant?> FindTenantByNameAsync(string name, CancellationToken ct) =>
        ReadAsync(
            async c => (await c.Db.QuerySingleOrDefaultAsync<TenantRow>(
                $"SELECT {TenantRow.Columns} FROM tenants WHERE name = @name", new { name }))?.ToTenant(),
            ct);

    public Task<Tenant?> FindTenantByIdAsync(string id, CancellationToken ct) =>
        ReadAsync(
            async c => (await c.Db.QuerySingleOrDefaultAsync<TenantRow>(
                $"SELECT {TenantRow.Columns} FROM tenants WHERE id = @id", new { id }))?.ToTenant(),
            ct);

    public Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken ct) =>
        ReadAsync(
            async c =>
            {
                var rows = await c.Db.QueryAsync<TenantRow>($"SELECT {TenantRow.Columns} FROM tenants ORDER BY name");
                return (IReadOnlyList<Tenant>)rows.Select(r => r.ToTenant()).ToList();
            },
            ct);

    public Task CreateApiKeyAsync(ApiKeyRecord key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WriteAsync(async (c, tx) => await c.Db.ExecuteAsync(InsertApiKeySql, ApiKeyRow.From(key), tx), ct);
    }

    public Task<ApiKeyRecord?> FindApiKeyAsync(string keyId, CancellationToken ct) =>
        ReadAsync(
            async c => (await c.Db.QuerySingleOrDefaultAsync<ApiKeyRow>(
                $"SELECT {ApiKeyRow.Columns} FROM api_keys WHERE id = @keyId", new { keyId }))?.ToRecord(),
            ct);

    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(TenantScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c =>
            {
                var rows = await c.Db.QueryAsync<ApiKeyRow>(
                    $"SELECT {ApiKeyRow.Columns} FROM api_keys WHERE tenant_id = @TenantId ORDER BY created_at, id",
                    new { scope.TenantId });
                return (IReadOnlyList<ApiKeyRecord>)rows.Select(r => r.ToRecord()).ToList();
            },
            ct);
    }

    public Task<bool> RevokeApiKeyAsync(string keyId, DateTimeOffset at, CancellationToken ct) =>
        WriteAsync(
            async (c, tx) => await c.Db.ExecuteAsync(
                "UPDATE api_keys SET revoked_at = @At WHERE id = @keyId AND revoked_at IS NULL",
                new { keyId, At = UnixMs.From(at) },
                tx) == 1,
            ct);

    private static object TenantParameters(Tenant tenant) => new
    {
        tenant.Id,
        tenant.Name,
        CreatedAt = UnixMs.From(tenant.CreatedAt),
        Suspended = tenant.Suspended ? 1 : 0,
    };
}
