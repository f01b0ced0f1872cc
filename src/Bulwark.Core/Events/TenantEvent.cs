namespace Bulwark.Core.Events;

/// <summary>
/// One ingested event (JOB-10) as stored: whose, what type, the caller's trace id, the payload as
/// JSON object text, who sent it and how many trigger hops led to it (<see cref="Depth"/>: 0 for an
/// event from the user API or from a job no event started; one more than the event that started the
/// emitting job otherwise), so a trigger loop can be cut (JOB-9).
/// </summary>
public sealed record TenantEvent
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string EventType { get; init; }
    public string? TraceId { get; init; }
    public required string PayloadJson { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required string Actor { get; init; }
    public int Depth { get; init; }
}
