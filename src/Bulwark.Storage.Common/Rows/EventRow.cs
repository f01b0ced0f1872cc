using Bulwark.Core.Events;

namespace Bulwark.Storage.Common.Rows;

/// <summary>An events row as selected with <see cref="Columns"/>, and the parameters of its insert.</summary>
public sealed class EventRow
{
    /// <summary>The columns of the insert, in the order of its values.</summary>
    public const string InsertColumns = "tenant_id, id, event_type, trace_id, payload_json, depth, received_at, actor";

    public const string Columns =
        "tenant_id AS TenantId, id AS Id, event_type AS EventType, trace_id AS TraceId, payload_json AS PayloadJson, "
        + "depth AS Depth, received_at AS ReceivedAt, actor AS Actor";

    public string TenantId { get; set; } = "";
    public string Id { get; set; } = "";
    public string EventType { get; set; } = "";
    public string? TraceId { get; set; }
    public string PayloadJson { get; set; } = "";
    /// <summary>A PostgreSQL integer, or a SQLite integer (converted as it is read).</summary>
    public int Depth { get; set; }
    public long ReceivedAt { get; set; }
    public string Actor { get; set; } = "";

    /// <summary>The row to insert. The tenant comes from the caller's scope, never from the event.</summary>
    public static EventRow From(string tenantId, TenantEvent tenantEvent)
    {
        ArgumentNullException.ThrowIfNull(tenantEvent);
        return new()
        {
            TenantId = tenantId,
            Id = tenantEvent.Id,
            EventType = tenantEvent.EventType,
            TraceId = tenantEvent.TraceId,
            PayloadJson = tenantEvent.PayloadJson,
            Depth = tenantEvent.Depth,
            ReceivedAt = UnixMs.From(tenantEvent.ReceivedAt),
            Actor = tenantEvent.Actor,
        };
    }

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
