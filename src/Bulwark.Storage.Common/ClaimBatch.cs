namespace Bulwark.Storage.Common;

/// <summary>A claim's arguments checked, and the times and the batch size its statements bind.</summary>
public readonly record struct ClaimBatch(int Limit, long NowMs, long ExpiresMs)
{
    /// <summary>
    /// The batch for a claim of up to <paramref name="max"/> jobs (at most
    /// <paramref name="maxBatch"/>, the store's own cap), or null when nothing is asked for.
    /// </summary>
    public static ClaimBatch? Of(string workerId, int max, int maxBatch, TimeSpan lease, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return max <= 0 ? null : new ClaimBatch(Math.Min(max, maxBatch), UnixMs.From(now), UnixMs.From(now + lease));
    }
}
