namespace Bulwark.Core.Jobs;

/// <summary>
/// How an attempt ended, as the worker decided it (see <see cref="AttemptOutcomes"/>). The store
/// checks the fence and the transition, then writes job, attempt and logs in one transaction.
/// </summary>
public sealed record Completion
{
    /// <summary>Succeeded, Failed, Retrying, Dead or Cancelled.</summary>
    public required JobState NextState { get; init; }
    /// <summary>When <see cref="NextState"/> is Retrying: when the next attempt may start.</summary>
    public DateTimeOffset? RetryAt { get; init; }
    public string? ResultJson { get; init; }
    public string? Error { get; init; }
    public string? ErrorCode { get; init; }
    public int? ExitCode { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
}
