using Bulwark.Core.Tenancy;
using Bulwark.Core.Triggers;
using Bulwark.Storage.Common;
using Bulwark.Storage.Postgres.Connections;
using Dapper;
using Npgsql;

namespace Bulwark.Storage.Postgres;

// JOB-9: the tenant's triggers under the tenant wall. Only the scheduler's due list crosses tenants
// (due_triggers); it then advances each trigger under that trigger's tenant, where the conditional
// update's row lock makes exactly one of any number of nodes win an occurrence.
public sealed partial class PostgresStore : ITriggerStore
{
    private const string TriggerColumns =
        "tenant_id AS TenantId, name AS Name, kind AS Kind, definition_json AS DefinitionJson, next_fire_at AS NextFireAt, "
        + "created_at AS CreatedAt, updated_at AS UpdatedAt";

    public Task<Trigger> PutTriggerAsync(TenantScope scope, Trigger trigger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(trigger);
        var parameters = new
        {
            scope.TenantId,
            trigger.Name,
            Kind = trigger.Kind.ToName(),
            trigger.EventType,
            DefinitionJson = TriggerDefinitions.ToJson(trigger),
            NextFireAt = UnixMs.From(trigger.NextFireAt),
            CreatedAt = UnixMs.From(trigger.CreatedAt),
            UpdatedAt = UnixMs.From(trigger.UpdatedAt),
        };
        return InTenantAsync(
            scope.TenantId,
            async tx => (await tx.Connection.QuerySingleAsync<TriggerRow>(
                "INSERT INTO triggers (tenant_id, name, kind, event_type, definition_json, next_fire_at, created_at, updated_at) "
                + "VALUES (@TenantId, @Name, @Kind, @EventType, @DefinitionJson, @NextFireAt, @CreatedAt, @UpdatedAt) "
                + "ON CONFLICT (tenant_id, name) DO UPDATE SET kind = excluded.kind, event_type = excluded.event_type, "
                + "definition_json = excluded.definition_json, next_fire_at = excluded.next_fire_at, updated_at = excluded.updated_at "
                + $"RETURNING {TriggerColumns}",
                parameters,
                tx.Transaction)).ToTrigger(),
            ct);
    }

    public Task<Trigger?> GetTriggerAsync(TenantScope scope, string name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx => (await tx.Connection.QuerySingleOrDefaultAsync<TriggerRow>(
                $"SELECT {TriggerColumns} FROM triggers WHERE name = @name", new { name }, tx.Transaction))?.ToTrigger(),
            ct);
    }

    public Task<IReadOnlyList<Trigger>> ListTriggersAsync(TenantScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx => (IReadOnlyList<Trigger>)(await tx.Connection.QueryAsync<TriggerRow>(
                $"SELECT {TriggerColumns} FROM triggers ORDER BY name", transaction: tx.Transaction))
                .Select(r => r.ToTrigger()).ToList(),
            ct);
    }

    public Task<bool> DeleteTriggerAsync(TenantScope scope, string name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx => await tx.Connection.ExecuteAsync(
                "DELETE FROM triggers WHERE name = @name", new { name }, tx.Transaction) == 1,
            ct);
    }

    public Task<IReadOnlyList<Trigger>> ListEventTriggersAsync(TenantScope scope, string eventType, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx => (IReadOnlyList<Trigger>)(await tx.Connection.QueryAsync<TriggerRow>(
                $"SELECT {TriggerColumns} FROM triggers WHERE kind = 'event' AND event_type = @eventType ORDER BY name",
                new { eventType },
                tx.Transaction))
                .Select(r => r.ToTrigger()).Where(t => t.Enabled).ToList(),
            ct);
    }

    public Task<IReadOnlyList<DueTrigger>> ListDueTriggersAsync(DateTimeOffset now, int max, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return OutsideTenantsAsync(
            async connection =>
            {
                var due = new List<DueTrigger>();
                await using var command = new NpgsqlCommand("SELECT * FROM due_triggers(@now, @max)", connection)
                    .Bind("now", UnixMs.From(now))
                    .Bind("max", max);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    due.Add(new DueTrigger(
                        new TenantScope(reader.GetString(0), reader.GetString(1)), reader.GetString(2), UnixMs.To(reader.GetInt64(3))));
                }

                return (IReadOnlyList<DueTrigger>)due;
            },
            ct);
    }

    public Task<bool> AdvanceTriggerAsync(TenantScope scope, string name, DateTimeOffset due, DateTimeOffset? next, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var parameters = new { name, due = UnixMs.From(due), next = UnixMs.From(next) };
        return InTenantAsync(
            scope.TenantId,
            async tx => await tx.Connection.ExecuteAsync(
                "UPDATE triggers SET next_fire_at = @next WHERE name = @name AND next_fire_at = @due",
                parameters,
                tx.Transaction) == 1,
            ct);
    }

    private sealed class TriggerRow
    {
        public string TenantId { get; set; } = "";
        public string Name { get; set; } = "";
        public string Kind { get; set; } = "";
        public string DefinitionJson { get; set; } = "";
        public long? NextFireAt { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }

        public Trigger ToTrigger() => TriggerDefinitions.FromRow(
            TenantId, Name, Kind, DefinitionJson, UnixMs.To(NextFireAt), UnixMs.To(CreatedAt), UnixMs.To(UpdatedAt));
    }
}
