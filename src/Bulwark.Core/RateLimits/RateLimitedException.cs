using Bulwark.Core.Errors;

namespace Bulwark.Core.RateLimits;

/// <summary>A rate limit of NET-3 refused the request (429 with <c>Retry-After</c>); nothing was done.</summary>
public sealed class RateLimitedException(RateBucket bucket, TimeSpan retryAfter)
    : BulwarkException("rate_limited", $"Too many requests of this kind ({bucket.Name}); try again in {Seconds(retryAfter)} seconds.")
{
    public RateBucket Bucket { get; } = bucket;

    public TimeSpan RetryAfter { get; } = retryAfter;

    /// <summary>The <c>Retry-After</c> value: whole seconds, at least 1.</summary>
    public long RetryAfterSeconds => Seconds(RetryAfter);

    private static long Seconds(TimeSpan t) => Math.Max(1, (long)Math.Ceiling(t.TotalSeconds));
}
