using Bulwark.Core.Events;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Common;
using Bulwark.Storage.Postgres.Connections;
using Dapper;
using Npgsql;

namespace Bulwark.Storage.Postgres;

// JOB-10: the tenant's events, under the tenant wall; only retention crosses tenants (remove_expired_events).
public sealed partial class PostgresStore : IEventStore
{
    private const string EventColumns = "tenant_id, id, event_type, trace_id, payload_json, depth, received_at, actor";

    private const string EventSelect =
        "tenant_id AS TenantId, id AS Id, event_type AS EventType, trace_id AS TraceId, payload_json AS PayloadJson, "
        + "depth AS Depth, received_at AS ReceivedAt, actor AS Actor";

    public Task AddEventAsync(TenantScope scope, TenantEvent tenantEvent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(tenantEvent);
        var parameters = new
        {
            scope.TenantId,
            tenantEvent.Id,
            tenantEvent.EventType,
            tenantEvent.TraceId,
            tenantEvent.PayloadJson,
            tenantEvent.Depth,
            ReceivedAt = UnixMs.From(tenantEvent.ReceivedAt),
            tenantEvent.Actor,
        };
        return InTenantAsync(
            scope.TenantId,
            tx => tx.Connection.ExecuteAsync(
                $"INSERT INTO events ({EventColumns}) "
                + "VALUES (@TenantId, @Id, @EventType, @TraceId, @PayloadJson, @Depth, @ReceivedAt, @Actor)",
                parameters,
                tx.Transaction),
            ct);
    }

    public Task<TenantEvent?> FindEventAsync(TenantScope scope, string eventId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx => (await tx.Connection.QuerySingleOrDefaultAsync<EventRow>(
                $"SELECT {EventSelect} FROM events WHERE id = @eventId", new { eventId }, tx.Transaction))?.ToEvent(),
            ct);
    }

    public Task<long> RemoveExpiredEventsAsync(DateTimeOffset before, CancellationToken ct) =>
        OutsideTenantsAsync(
            async connection =>
            {
                await using var command = new NpgsqlCommand("SELECT remove_expired_events(@before)", connection)
                    .Bind("before", UnixMs.From(before));
                return (long)(await command.ExecuteScalarAsync(ct))!;
            },
            ct);

    private sealed class EventRow
    {
        public string TenantId { get; set; } = "";
        public string Id { get; set; } = "";
        public string EventType { get; set; } = "";
        public string? TraceId { get; set; }
        public string PayloadJson { get; set; } = "";
        public int Depth { get; set; }
        public long ReceivedAt { get; set; }
        public string Actor { get; set; } = "";

        public TenantEvent ToEvent() => new()
        {
            Id = Id,
            TenantId = TenantId,
            EventType = EventType,
            TraceId = TraceId,
            PayloadJson = PayloadJson,
            Depth = Depth,
            ReceivedAt = UnixMs.To(ReceivedAt),
            Actor = Actor,
        };
    }
}
