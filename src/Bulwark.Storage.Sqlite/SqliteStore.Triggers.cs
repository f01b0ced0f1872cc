using Bulwark.Core.Tenancy;
using Bulwark.Core.Triggers;
using Bulwark.Storage.Common;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// JOB-9: the tenant's triggers. TEN-1: every statement but the scheduler's due list filters by the
// scope's tenant; the due list names each trigger's tenant so the scheduler then acts under it.
public sealed partial class SqliteStore : ITriggerStore
{
    public Task<Trigger> PutTriggerAsync(TenantScope scope, Trigger trigger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var parameters = TriggerRow.From(scope.TenantId, trigger);
        return WriteAsync(
            async (c, tx) => (await c.Db.QuerySingleAsync<TriggerRow>(
                $"INSERT INTO triggers ({TriggerRow.InsertColumns}) "
                + "VALUES (@TenantId, @Name, @Kind, @EventType, @DefinitionJson, @NextFireAt, @CreatedAt, @UpdatedAt) "
                + $"ON CONFLICT (tenant_id, name) DO UPDATE SET {TriggerRow.UpsertSet} "
                + $"RETURNING {TriggerRow.Columns}",
                parameters,
                tx)).ToTrigger(),
            ct);
    }

    public Task<Trigger?> GetTriggerAsync(TenantScope scope, string name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c => (await c.Db.QuerySingleOrDefaultAsync<TriggerRow>(
                $"SELECT {TriggerRow.Columns} FROM triggers WHERE tenant_id = @TenantId AND name = @name",
                new { scope.TenantId, name }))?.ToTrigger(),
            ct);
    }

    public Task<IReadOnlyList<Trigger>> ListTriggersAsync(TenantScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c => (IReadOnlyList<Trigger>)(await c.Db.QueryAsync<TriggerRow>(
                $"SELECT {TriggerRow.Columns} FROM triggers WHERE tenant_id = @TenantId ORDER BY name",
                new { scope.TenantId })).Select(r => r.ToTrigger()).ToList(),
            ct);
    }

    public Task<bool> DeleteTriggerAsync(TenantScope scope, string name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return WriteAsync(
            async (c, tx) => await c.Db.ExecuteAsync(
                "DELETE FROM triggers WHERE tenant_id = @TenantId AND name = @name", new { scope.TenantId, name }, tx) == 1,
            ct);
    }

    public Task<IReadOnlyList<Trigger>> ListEventTriggersAsync(TenantScope scope, string eventType, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c => (IReadOnlyList<Trigger>)(await c.Db.QueryAsync<TriggerRow>(
                $"SELECT {TriggerRow.Columns} FROM triggers WHERE tenant_id = @TenantId AND kind = 'event' AND event_type = @eventType ORDER BY name",
                new { scope.TenantId, eventType })).Select(r => r.ToTrigger()).Where(t => t.Enabled).ToList(),
            ct);
    }

    public Task<IReadOnlyList<DueTrigger>> ListDueTriggersAsync(DateTimeOffset now, int max, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return ReadAsync(
            async c => (IReadOnlyList<DueTrigger>)(await c.Db.QueryAsync<(string TenantId, string TenantName, string Name, long NextFireAt)>(
                "SELECT t.tenant_id, n.name, t.name, t.next_fire_at FROM triggers t JOIN tenants n ON n.id = t.tenant_id "
                + "WHERE t.next_fire_at IS NOT NULL AND t.next_fire_at <= @now AND n.suspended = 0 "
                + "ORDER BY t.next_fire_at, t.tenant_id, t.name LIMIT @max",
                new { now = UnixMs.From(now), max }))
                .Select(r => new DueTrigger(new TenantScope(r.TenantId, r.TenantName), r.Name, UnixMs.To(r.NextFireAt)))
                .ToList(),
            ct);
    }

    public Task<bool> AdvanceTriggerAsync(TenantScope scope, string name, DateTimeOffset due, DateTimeOffset? next, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var parameters = new { scope.TenantId, name, due = UnixMs.From(due), next = UnixMs.From(next) };
        return WriteAsync(
            async (c, tx) => await c.Db.ExecuteAsync(
                "UPDATE triggers SET next_fire_at = @next WHERE tenant_id = @TenantId AND name = @name AND next_fire_at = @due",
                parameters,
                tx) == 1,
            ct);
    }
}
