using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using CsCheck;

namespace Bulwark.Core.Tests.Jobs;

// JOB-4: exponential backoff with jitter, capped, with max attempts.
public sealed class RetryPolicyTests
{
    private static readonly RetryPolicy Policy = new(MaxAttempts: 10, BackoffSeconds: 2, MaxBackoffSeconds: 300);

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(4, 16)]
    [InlineData(8, 256)]
    public void DelayAfter_doubles_with_each_attempt_when_below_the_cap(int failedAttempt, double full)
    {
        // random 0 is the fixed half of "equal jitter".
        Assert.Equal(TimeSpan.FromSeconds(full / 2), Policy.DelayAfter(failedAttempt, 0));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(20)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void DelayAfter_stays_at_the_cap_when_the_exponential_would_exceed_it(int failedAttempt)
    {
        Assert.Equal(TimeSpan.FromSeconds(150), Policy.DelayAfter(failedAttempt, 0));
        Assert.True(Policy.DelayAfter(failedAttempt, 0.999999) <= TimeSpan.FromSeconds(300));
    }

    [Fact]
    public void DelayAfter_gives_half_when_random_is_zero_and_nearly_full_when_random_is_near_one()
    {
        Assert.Equal(TimeSpan.FromSeconds(4), Policy.DelayAfter(3, 0));
        var nearlyFull = Policy.DelayAfter(3, 0.999999).TotalSeconds;
        Assert.InRange(nearlyFull, 7.999, 8);
        Assert.True(nearlyFull < 8);
    }

    [Fact]
    public void DelayAfter_stays_within_half_and_full_when_given_any_attempt_and_random()
    {
        var samples = 0;
        Gen.Select(Gen.Int[1, 200], Gen.Double[0, 0.9999999], Gen.Double[0, 60], Gen.Double[0, 3600])
            .Where((_, _, b, m) => m >= b)
            .Sample((attempt, random, backoff, max) =>
            {
                var policy = new RetryPolicy(5, backoff, max);
                var full = Math.Min(max, backoff * Math.Pow(2, Math.Min(attempt - 1, 62)));
                var delay = policy.DelayAfter(attempt, random).TotalSeconds;
                Interlocked.Increment(ref samples);
                return delay >= (full / 2) - 1e-6 && delay <= full + 1e-6;
            });
        // Sample throws with the shrunk counterexample when a bound is broken.
        Assert.True(samples > 0);
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(-1, 0.5)]
    [InlineData(1, -0.1)]
    [InlineData(1, 1.0)]
    [InlineData(1, 2.0)]
    public void DelayAfter_refuses_arguments_when_out_of_range(int failedAttempt, double random)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy.DelayAfter(failedAttempt, random));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(9, true)]
    [InlineData(10, false)]
    [InlineData(11, false)]
    public void HasAttemptsLeft_is_false_when_max_attempts_are_used(int soFar, bool left)
    {
        Assert.Equal(left, Policy.HasAttemptsLeft(soFar));
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(100, 2, 300)]
    [InlineData(3, 300, 300)]
    public void Validate_accepts_a_policy_when_within_bounds(int attempts, double backoff, double max)
    {
        new RetryPolicy(attempts, backoff, max).Validate();
        Assert.True(new RetryPolicy(attempts, backoff, max).HasAttemptsLeft(0));
    }

    [Theory]
    [InlineData(0, 2, 300, "retry.max_attempts")]
    [InlineData(101, 2, 300, "retry.max_attempts")]
    [InlineData(3, -1, 300, "retry.backoff_seconds")]
    [InlineData(3, 301, 300, "retry.backoff_seconds")]
    public void Validate_refuses_a_policy_when_out_of_bounds(int attempts, double backoff, double max, string field)
    {
        var e = Assert.Throws<InvalidPayloadException>(() => new RetryPolicy(attempts, backoff, max).Validate());

        Assert.StartsWith(field, e.Message, StringComparison.Ordinal);
        Assert.Equal("invalid_payload", e.Code);
    }

    [Fact]
    public void Default_is_three_attempts_two_seconds_capped_at_five_minutes()
    {
        Assert.Equal(new RetryPolicy(3, 2, 300), RetryPolicy.Default);
    }
}
