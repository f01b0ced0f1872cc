using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Dapper;

namespace Bulwark.Storage.Postgres;

// Templates (JOB-1): immutable versions per (owner, key); a tenant's own template shadows a
// global one with the same key. The policy shows a tenant its own rows and the global ones.
public sealed partial class PostgresStore
{
    // Writers of one (owner, key) take turns, so two never compute the same version.
    private const string LockTemplateKeySql =
        "SELECT pg_advisory_xact_lock(hashtextextended('bulwark.template ' || @Owner || ' ' || @Key, 0))";

    public async Task<JobTemplate> PutTemplateAsync(
        string? ownerTenantId, TemplateDefinition definition, DateTimeOffset now, CancellationToken ct)
    {
        var stored = NewTemplate.Of(definition, now);
        int version;
        if (ownerTenantId is null)
        {
            // Global rows are not the application's to write: the operator's path crosses tenants.
            version = await OutsideTenantsAsync(
                connection => connection.ExecuteScalarAsync<int>(
                    "SELECT put_global_template(@Id, @Key, @Json, @CreatedAt)", new { stored.Id, definition.Key, stored.Json, stored.CreatedAt }),
                ct);
        }
        else
        {
            version = await InTenantAsync(
                ownerTenantId,
                async tx =>
                {
                    await tx.Connection.ExecuteAsync(LockTemplateKeySql, new { Owner = ownerTenantId, definition.Key }, tx.Transaction);
                    var next = await tx.Connection.ExecuteScalarAsync<int>(
                        "SELECT coalesce(max(version), 0) + 1 FROM templates WHERE key = @Key AND tenant_id = @Owner",
                        new { definition.Key, Owner = ownerTenantId },
                        tx.Transaction);
                    await tx.Connection.ExecuteAsync(
                        "INSERT INTO templates (id, tenant_id, key, version, definition_json, created_at) "
                        + "VALUES (@Id, @Owner, @Key, @next, @Json, @CreatedAt)",
                        new { stored.Id, Owner = ownerTenantId, definition.Key, next, stored.Json, stored.CreatedAt },
                        tx.Transaction);
                    return next;
                },
                ct);
        }

        return stored.ToTemplate(ownerTenantId, version, definition);
    }

    public Task<JobTemplate?> FindTemplateAsync(TenantScope scope, string key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                // Own templates sort before global ones, then newest.
                var row = await tx.Connection.QuerySingleOrDefaultAsync<TemplateRow>(
                    $"SELECT {TemplateRow.Columns} FROM templates WHERE key = @key AND retired_at IS NULL "
                    + "ORDER BY tenant_id IS NULL, version DESC LIMIT 1",
                    new { key },
                    tx.Transaction);
                return row is null ? null : CacheTemplate(row);
            },
            ct);
    }

    public Task<IReadOnlyList<JobTemplate>> ListTemplatesAsync(TenantScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                // One row per key: the tenant's own newest version, else the newest global one.
                var rows = await tx.Connection.QueryAsync<TemplateRow>(
                    $"SELECT DISTINCT ON (key) {TemplateRow.Columns} FROM templates WHERE retired_at IS NULL "
                    + "ORDER BY key, tenant_id IS NULL, version DESC",
                    transaction: tx.Transaction);
                return (IReadOnlyList<JobTemplate>)rows.Select(CacheTemplate).ToList();
            },
            ct);
    }

    public Task<bool> RetireTemplateAsync(TenantScope scope, string key, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                // Taking the key's turn orders a retire against a concurrent PUT of the same key.
                // The policy admits only the tenant's own rows to an UPDATE, and only retired_at is granted.
                await tx.Connection.ExecuteAsync(LockTemplateKeySql, new { Owner = scope.TenantId, Key = key }, tx.Transaction);
                var retired = await tx.Connection.ExecuteAsync(
                    "UPDATE templates SET retired_at = @At WHERE tenant_id = @TenantId AND key = @key AND retired_at IS NULL",
                    new { At = UnixMs.From(now), scope.TenantId, key },
                    tx.Transaction);
                return retired > 0;
            },
            ct);
    }

    /// <summary>The row's template, parsed once per id (stored versions never change).</summary>
    private JobTemplate CacheTemplate(TemplateRow row) => _templates.GetOrAdd(row.Id, static (_, r) => r.ToTemplate(), row);
}
