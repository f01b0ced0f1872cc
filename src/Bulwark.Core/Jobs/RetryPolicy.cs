namespace Bulwark.Core.Jobs;

/// <summary>
/// Exponential backoff with jitter (JOB-4). The delay before attempt n+1 is
/// <c>min(max, base * 2^(n-1))</c>, then "equal jitter": half fixed, half random, so retries of
/// many jobs that failed together spread out instead of stampeding, yet never retry at once.
/// </summary>
public sealed record RetryPolicy(int MaxAttempts = 3, double BackoffSeconds = 2, double MaxBackoffSeconds = 300)
{
    public static RetryPolicy Default { get; } = new();

    /// <summary>Upper bound accepted from templates and submissions.</summary>
    public const int MaxAttemptsLimit = 100;

    public const double MaxBackoffLimitSeconds = 86_400;

    /// <param name="failedAttempt">The 1-based attempt that just failed.</param>
    /// <param name="random">A value in [0, 1); injected so tests are deterministic.</param>
    public TimeSpan DelayAfter(int failedAttempt, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(random);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(random, 1.0);
        var exponent = Math.Min(failedAttempt - 1, 62);
        var capped = Math.Min(MaxBackoffSeconds, BackoffSeconds * Math.Pow(2, exponent));
        var seconds = (capped / 2) + (capped / 2 * random);
        return TimeSpan.FromSeconds(seconds);
    }

    public bool HasAttemptsLeft(int attemptsSoFar) => attemptsSoFar < MaxAttempts;

    /// <summary>Rejects values no operator means (zero attempts, negative backoff).</summary>
    public void Validate()
    {
        if (MaxAttempts is < 1 or > MaxAttemptsLimit)
        {
            throw new Errors.InvalidPayloadException($"retry.max_attempts must be between 1 and {MaxAttemptsLimit}.");
        }

        if (BackoffSeconds < 0 || MaxBackoffSeconds < BackoffSeconds)
        {
            throw new Errors.InvalidPayloadException("retry.backoff_seconds must be >= 0 and <= retry.max_backoff_seconds.");
        }

        // A day is the longest wait any retry means; far larger values overflow TimeSpan.
        if (MaxBackoffSeconds > MaxBackoffLimitSeconds)
        {
            throw new Errors.InvalidPayloadException($"retry.max_backoff_seconds must be at most {MaxBackoffLimitSeconds}.");
        }
    }
}
