using Bulwark.Core.Events;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Common;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// JOB-10: the tenant's events. TEN-1: every statement filters by the scope's tenant.
public sealed partial class SqliteStore : IEventStore
{
    private const string EventColumns = "tenant_id, id, event_type, trace_id, payload_json, depth, received_at, actor";

    private const string EventSelect =
        "tenant_id AS TenantId, id AS Id, event_type AS EventType, trace_id AS TraceId, payload_json AS PayloadJson, "
        + "depth AS Depth, received_at AS ReceivedAt, actor AS Actor";

    public Task AddEventAsync(TenantScope scope, TenantEvent tenantEvent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(tenantEvent);
        var row = new
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
        return WriteAsync(
            async (c, tx) => await c.Db.ExecuteAsync(
                $"INSERT INTO events ({EventColumns}) "
                + "VALUES (@TenantId, @Id, @EventType, @TraceId, @PayloadJson, @Depth, @ReceivedAt, @Actor)",
                row,
                tx),
            ct);
    }

    public Task<TenantEvent?> FindEventAsync(TenantScope scope, string eventId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c => (await c.Db.QuerySingleOrDefaultAsync<EventRow>(
                $"SELECT {EventSelect} FROM events WHERE tenant_id = @TenantId AND id = @eventId",
                new { scope.TenantId, eventId }))?.ToEvent(),
            ct);
    }

    public Task<long> RemoveExpiredEventsAsync(DateTimeOffset before, CancellationToken ct) =>
        WriteAsync(
            async (c, tx) => (long)await c.Db.ExecuteAsync(
                "DELETE FROM events WHERE received_at < @before", new { before = UnixMs.From(before) }, tx),
            ct);

    private sealed class EventRow
    {
        public string TenantId { get; set; } = "";
        public string Id { get; set; } = "";
        public string EventType { get; set; } = "";
        public string? TraceId { get; set; }
        public string PayloadJson { get; set; } = "";
        public long Depth { get; set; }
        public long ReceivedAt { get; set; }
        public string Actor { get; set; } = "";

        public TenantEvent ToEvent() => new()
        {
            Id = Id,
            TenantId = TenantId,
            EventType = EventType,
            TraceId = TraceId,
            PayloadJson = PayloadJson,
            Depth = (int)Depth,
            ReceivedAt = UnixMs.To(ReceivedAt),
            Actor = Actor,
        };
    }
}
