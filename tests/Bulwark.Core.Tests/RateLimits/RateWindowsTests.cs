using Bulwark.Core.RateLimits;
using CsCheck;

namespace Bulwark.Core.Tests.RateLimits;

// NET-3: the sliding estimate and the Retry-After it promises. The model below decides exactly as
// the stores' SQL does (roll the row to the window of "now", weigh the previous window, compare).
public sealed class RateWindowsTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Gen<(int Minutes, int Limit, long Previous, long Current, long IntoMs)> Refusal =
        from minutes in Gen.Int[1, 5]
        from limit in Gen.Int[1, 500]
        from previous in Gen.Long[0, limit * 2L]
        from current in Gen.Long[0, limit]
        from intoMs in Gen.Long[0, (minutes * 60_000L) - 1]
        select (minutes, limit, previous, current, intoMs);

    [Fact] // NET-3: Retry-After is honest: admitted once it has passed, refused a second before
    public void Retry_after_is_the_first_whole_second_at_which_the_identity_is_admitted()
    {
        Refusal.Sample(c =>
        {
            var width = TimeSpan.FromMinutes(c.Minutes);
            var windowStart = Epoch.AddMilliseconds(RateWindows.WindowStart(Epoch.ToUnixTimeMilliseconds(), (long)width.TotalMilliseconds) - Epoch.ToUnixTimeMilliseconds());
            var now = windowStart.AddMilliseconds(c.IntoMs);
            var take = new RateWindowTake("key:k1", "jobs", now, width, c.Limit);
            if (Admits(windowStart, c.Previous, c.Current, take))
            {
                return; // only refusals promise a Retry-After
            }

            var retryAfter = RateWindows.RetryAfter(take, new RateWindowState(false, c.Current, c.Previous));

            Assert.True(retryAfter >= TimeSpan.FromSeconds(1));
            Assert.True(Admits(windowStart, c.Previous, c.Current, take with { Now = now + retryAfter }), $"not admitted after {retryAfter}");
            if (retryAfter > TimeSpan.FromSeconds(1))
            {
                var early = now + retryAfter - TimeSpan.FromSeconds(1);
                Assert.False(Admits(windowStart, c.Previous, c.Current, take with { Now = early }), $"already admitted at {retryAfter} − 1 s");
            }
        });
    }

    [Fact] // NET-3: with the previous window gone, a window admits exactly its limit
    public void A_fresh_window_admits_exactly_the_limit()
    {
        Gen.Int[1, 1000].Sample(limit =>
        {
            var width = TimeSpan.FromMinutes(1);
            Assert.Equal(limit, RateWindows.Estimate(previous: 0, current: limit, remainingMs: 30_000, widthMs: (long)width.TotalMilliseconds));
        });
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(59_999L, 0L)]
    [InlineData(60_000L, 60_000L)]
    [InlineData(-1L, -60_000L)]
    public void Window_start_is_the_minute_boundary_at_or_before_now(long nowMs, long expected) =>
        Assert.Equal(expected, RateWindows.WindowStart(nowMs, 60_000));

    /// <summary>The stores' decision for a row last written in the window starting at <paramref name="stored"/>.</summary>
    private static bool Admits(DateTimeOffset stored, long previous, long current, RateWindowTake take)
    {
        var storedMs = stored.ToUnixTimeMilliseconds();
        var (rolledPrevious, rolledCurrent) =
            storedMs >= take.WindowStartMs ? (previous, current)
            : storedMs == take.WindowStartMs - take.WidthMs ? (current, 0L)
            : (0L, 0L);
        return RateWindows.Estimate(rolledPrevious, rolledCurrent, take.RemainingMs, take.WidthMs) < take.Limit;
    }
}
