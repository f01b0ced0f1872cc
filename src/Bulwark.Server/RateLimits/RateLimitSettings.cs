using Bulwark.Core.RateLimits;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.RateLimits;

/// <summary>The budgets of NET-3 as configured, checked once at start.</summary>
internal static class RateLimitSettings
{
    public const int MaxBurstMinutes = 60;

    /// <summary>Throws <see cref="BulwarkSettingsException"/> naming the first bad setting.</summary>
    public static void Validate(BulwarkOptions o)
    {
        Require(o.RateLimitJobsPerMin, "BULWARK_RATE_LIMIT_JOBS_PER_MIN");
        Require(o.RateLimitEventsPerMin, "BULWARK_RATE_LIMIT_EVENTS_PER_MIN");
        Require(o.RateLimitHeavyPerMin, "BULWARK_RATE_LIMIT_HEAVY_PER_MIN");
        if (o.RateLimitBurst is < 1 or > MaxBurstMinutes)
        {
            throw new BulwarkSettingsException($"BULWARK_RATE_LIMIT_BURST must be between 1 and {MaxBurstMinutes} (minutes of allowance).");
        }
    }

    /// <summary>
    /// The bucket's limit and the sliding window it is counted over: the per-minute rate times the
    /// burst, over that many minutes. Burst 1 is the plain "N per minute".
    /// </summary>
    public static (int Limit, TimeSpan Window) Budget(BulwarkOptions o, RateBucket bucket)
    {
        var perMinute = bucket.Name switch
        {
            "jobs" => o.RateLimitJobsPerMin,
            "events" => o.RateLimitEventsPerMin,
            "heavy" => o.RateLimitHeavyPerMin,
            _ => throw new ArgumentOutOfRangeException(nameof(bucket), bucket.Name, "Not a bucket of NET-3."),
        };
        return (perMinute * o.RateLimitBurst, TimeSpan.FromMinutes(o.RateLimitBurst));
    }

    private static void Require(int perMinute, string setting)
    {
        if (perMinute is < 1 or > 1_000_000)
        {
            throw new BulwarkSettingsException($"{setting} must be between 1 and 1000000.");
        }
    }
}
