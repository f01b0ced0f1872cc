namespace Bulwark.Core.Jobs;

/// <summary>
/// Turns what happened in an attempt into the next state (JOB-4): success ends the job;
/// a retryable failure retries with backoff while attempts remain and is dead-lettered after;
/// a permanent failure (the run can never succeed as configured) fails at once.
/// </summary>
public static class AttemptOutcomes
{
    public static Completion Decide(
        ClaimedJob claimed,
        AttemptResult result,
        RetryPolicy retry,
        DateTimeOffset now,
        double random)
    {
        var baseCompletion = new Completion
        {
            NextState = JobState.Succeeded,
            ResultJson = result.ResultJson,
            Error = result.Error,
            ErrorCode = result.ErrorCode,
            ExitCode = result.ExitCode,
            Stdout = result.Stdout,
            Stderr = result.Stderr,
        };

        return result.Kind switch
        {
            AttemptResultKind.Succeeded => baseCompletion,
            AttemptResultKind.Cancelled => baseCompletion with { NextState = JobState.Cancelled },
            AttemptResultKind.PermanentFailure => baseCompletion with { NextState = JobState.Failed },
            AttemptResultKind.RetryableFailure when claimed.Job.Attempts < claimed.Job.MaxAttempts =>
                baseCompletion with
                {
                    NextState = JobState.Retrying,
                    RetryAt = now + retry.DelayAfter(claimed.Job.Attempts, random),
                },
            AttemptResultKind.RetryableFailure => baseCompletion with { NextState = JobState.Dead },
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.Kind, null),
        };
    }
}

public enum AttemptResultKind
{
    Succeeded,
    RetryableFailure,
    PermanentFailure,
    Cancelled,
}

/// <summary>What an executor reports about one attempt.</summary>
public sealed record AttemptResult
{
    public required AttemptResultKind Kind { get; init; }
    public string? ResultJson { get; init; }
    public string? Error { get; init; }
    public string? ErrorCode { get; init; }
    public int? ExitCode { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
}
