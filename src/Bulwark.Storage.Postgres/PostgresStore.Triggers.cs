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
    public Task<Trigger> PutTriggerAsync(TenantScope scope, Trigger trigger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var parameters = TriggerRow.From(scope.TenantId, trigger);
        return InTenantAsync(
            scope.TenantId,
            async tx => (await tx.Connection.QuerySingleAsync<TriggerRow>(
                $"INSERT INTO triggers ({TriggerRow.InsertColumns}) "
                + "VALUES (@TenantId, @Name, @Kind, @EventType, @DefinitionJson, @NextFireAt, @CreatedAt, @UpdatedAt) "
                + $"ON CONFLICT (tenant_id, name) DO UPDATE SET {TriggerRow.UpsertSet} "
                + $"RETURNING {TriggerRow.Columns}",
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
                $"SELECT {TriggerRow.Columns} FROM triggers WHERE name = @name", new { name }, tx.Transaction))?.ToTrigger(),
            ct);
    }

    public Task<IReadOnlyList<Trigger>> ListTriggersAsync(TenantScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx => (IReadOnlyList<Trigger>)(await tx.Connection.QueryAsync<TriggerRow>(
                $"SELECT {TriggerRow.Columns} FROM triggers ORDER BY name", transaction: tx.Transaction))
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
                $"SELECT {TriggerRow.Columns} FROM triggers WHERE kind = 'event' AND event_type = @eventType ORDER BY name",
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
}
