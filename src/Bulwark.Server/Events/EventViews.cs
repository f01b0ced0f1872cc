namespace Bulwark.Server.Events;

/// <summary>The answer to an accepted event (202): what was stored and the jobs its triggers started.</summary>
internal sealed record EventView(
    string Id,
    string EventType,
    string? TraceId,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<string> Jobs,
    IReadOnlyList<NotStartedView> NotStarted);

/// <summary>A trigger bound to the event's type that started no job, and why (JOB-9).</summary>
internal sealed record NotStartedView(string Trigger, string Code, string Message);

/// <summary>The answer to a dry run (JOB-8): valid, allowed, nothing stored; the triggers a real event would start.</summary>
internal sealed record EventDryRunView(bool DryRun, string EventType, string? TraceId, IReadOnlyList<string> Triggers);
