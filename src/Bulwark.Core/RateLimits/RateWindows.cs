namespace Bulwark.Core.RateLimits;

/// <summary>
/// One request asking for room in a bucket: counted in the fixed window that holds
/// <paramref name="Now"/>, estimated over the sliding window of <paramref name="Width"/> ending now.
/// </summary>
public sealed record RateWindowTake(string Subject, string Bucket, DateTimeOffset Now, TimeSpan Width, int Limit)
{
    public long WidthMs => (long)Width.TotalMilliseconds;

    /// <summary>The start of the fixed window holding <see cref="Now"/>, in unix milliseconds.</summary>
    public long WindowStartMs => RateWindows.WindowStart(Now.ToUnixTimeMilliseconds(), WidthMs);

    /// <summary>How much of the current fixed window is still to come, in milliseconds (1 … width).</summary>
    public long RemainingMs => WindowStartMs + WidthMs - Now.ToUnixTimeMilliseconds();
}

/// <summary>
/// The store's answer: whether this request was admitted (and so counted), and the counts of the
/// current and the previous fixed window after it.
/// </summary>
public sealed record RateWindowState(bool Admitted, long Current, long Previous);

/// <summary>
/// The sliding-window estimate NET-3 is enforced with. The store counts admitted requests per
/// fixed window (exact, one atomic upsert, shared by every node); the estimate of the sliding
/// window ending now is <c>previous × (the part of the previous window still inside it) + current</c>,
/// rounded down. A request is admitted when the estimate with it stays within the limit.
/// </summary>
public static class RateWindows
{
    public static long WindowStart(long nowMs, long widthMs) => nowMs - (((nowMs % widthMs) + widthMs) % widthMs);

    /// <summary>The estimate of the sliding window: both stores compute exactly this in SQL.</summary>
    public static long Estimate(long previous, long current, long remainingMs, long widthMs) =>
        (previous * remainingMs / widthMs) + current;

    /// <summary>
    /// How long until one more request fits, if nothing else is admitted meanwhile: the honest
    /// <c>Retry-After</c> of a refusal. Never less than one second.
    /// </summary>
    public static TimeSpan RetryAfter(RateWindowTake take, RateWindowState state)
    {
        ArgumentNullException.ThrowIfNull(take);
        ArgumentNullException.ThrowIfNull(state);
        var width = take.WidthMs;
        var elapsed = width - take.RemainingMs;
        long waitMs;
        if (state.Current < take.Limit)
        {
            // Room opens in this window once the previous window's weight has fallen far enough:
            // previous × remaining / width < limit − current.
            waitMs = MsUntilWeightBelow(state.Previous, take.Limit - state.Current, width) - elapsed;
        }
        else
        {
            // This window is full: wait for the next one, where this window's count is the weighted one.
            waitMs = take.RemainingMs + MsUntilWeightBelow(state.Current, take.Limit, width);
        }

        return TimeSpan.FromSeconds(Math.Max(1, (long)Math.Ceiling(Math.Max(waitMs, 0) / 1000.0)));
    }

    /// <summary>The least elapsed time t into a window at which <c>count × (width − t) / width &lt; room</c> (rounded down).</summary>
    private static long MsUntilWeightBelow(long count, long room, long width)
    {
        if (count < room)
        {
            return 0;
        }

        // floor(count × r / width) < room ⇔ count × r < room × width ⇔ r ≤ (room × width − 1) / count.
        var remaining = ((room * width) - 1) / count;
        return width - remaining;
    }
}
