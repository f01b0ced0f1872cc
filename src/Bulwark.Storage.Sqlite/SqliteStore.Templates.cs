using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Sqlite.Connections;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// Templates (JOB-1): immutable versions per (owner, key); a tenant's own template shadows a
// global one with the same key.
public sealed partial class SqliteStore
{
    public Task<JobTemplate> PutTemplateAsync(
        string? ownerTenantId, TemplateDefinition definition, DateTimeOffset now, CancellationToken ct)
    {
        var stored = NewTemplate.Of(definition, now);
        return WriteAsync(
            async (c, tx) =>
            {
                // Inside the immediate transaction: no other writer can take the same version.
                var version = await c.Db.ExecuteScalarAsync<long>(
                    "SELECT coalesce(max(version), 0) + 1 FROM templates WHERE key = @Key AND tenant_id IS @Owner",
                    new { definition.Key, Owner = ownerTenantId },
                    tx);
                await c.Db.ExecuteAsync(
                    "INSERT INTO templates (id, tenant_id, key, version, definition_json, created_at) "
                    + "VALUES (@Id, @Owner, @Key, @Version, @Json, @CreatedAt)",
                    new { stored.Id, Owner = ownerTenantId, definition.Key, Version = version, stored.Json, stored.CreatedAt },
                    tx);
                return stored.ToTemplate(ownerTenantId, checked((int)version), definition);
            },
            ct);
    }

    public Task<JobTemplate?> FindTemplateAsync(TenantScope scope, string key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c =>
            {
                // Own templates sort before global ones ((tenant_id IS NULL) is 0 for them), then newest.
                var row = await c.Db.QuerySingleOrDefaultAsync<TemplateRow>(
                    $"SELECT {TemplateRow.Columns} FROM templates "
                    + "WHERE key = @key AND (tenant_id = @TenantId OR tenant_id IS NULL) AND retired_at IS NULL "
                    + "ORDER BY tenant_id IS NULL, version DESC LIMIT 1",
                    new { key, scope.TenantId });
                return row is null ? null : CacheTemplate(row);
            },
            ct);
    }

    public Task<IReadOnlyList<JobTemplate>> ListTemplatesAsync(TenantScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c =>
            {
                var rows = await c.Db.QueryAsync<TemplateRow>(
                    $"SELECT {TemplateRow.Columns} FROM templates t "
                    + "WHERE (t.tenant_id = @TenantId OR t.tenant_id IS NULL) AND t.retired_at IS NULL "
                    + "AND t.version = (SELECT max(v.version) FROM templates v WHERE v.key = t.key AND v.tenant_id IS t.tenant_id) "
                    + "AND NOT (t.tenant_id IS NULL AND EXISTS "
                    + "    (SELECT 1 FROM templates o WHERE o.key = t.key AND o.tenant_id = @TenantId AND o.retired_at IS NULL)) "
                    + "ORDER BY t.key",
                    new { scope.TenantId });
                return (IReadOnlyList<JobTemplate>)rows.Select(CacheTemplate).ToList();
            },
            ct);
    }

    public Task<bool> RetireTemplateAsync(TenantScope scope, string key, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return WriteAsync(
            async (c, tx) =>
            {
                // Only the tenant's own rows: a global template (tenant_id NULL) never matches.
                var retired = await c.Db.ExecuteAsync(
                    "UPDATE templates SET retired_at = @At WHERE tenant_id = @TenantId AND key = @key AND retired_at IS NULL",
                    new { At = UnixMs.From(now), scope.TenantId, key },
                    tx);
                return retired > 0;
            },
            ct);
    }

    /// <summary>The row's template, parsed once per id (stored versions never change).</summary>
    private JobTemplate CacheTemplate(TemplateRow row) => _templates.GetOrAdd(row.Id, static (_, r) => r.ToTemplate(), row);

    /// <summary>A claimed job's template, read once per id and then served from the cache.</summary>
    private async Task<JobTemplate> LoadTemplateAsync(StoreConnection connection, string id)
    {
        var row = await connection.Db.QuerySingleAsync<TemplateRow>(
            $"SELECT {TemplateRow.Columns} FROM templates WHERE id = @id", new { id });
        return CacheTemplate(row);
    }
}
