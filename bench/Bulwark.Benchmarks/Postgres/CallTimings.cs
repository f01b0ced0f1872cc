using System.Diagnostics;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>
/// Where a drain's time goes, call by call: every claim and every completion timed as the worker
/// saw it (round trips, locks and the wait for a core included), summed across workers.
/// </summary>
internal sealed class CallTimings
{
    private long _claims;
    private long _claimTicks;
    private long _completes;
    private long _completeTicks;

    public long Claims => Interlocked.Read(ref _claims);

    public long Completes => Interlocked.Read(ref _completes);

    public double ClaimMilliseconds => Average(_claimTicks, _claims);

    public double CompleteMilliseconds => Average(_completeTicks, _completes);

    public void AddClaim(long startTimestamp) => Add(ref _claims, ref _claimTicks, startTimestamp);

    public void AddComplete(long startTimestamp) => Add(ref _completes, ref _completeTicks, startTimestamp);

    private static void Add(ref long count, ref long ticks, long startTimestamp)
    {
        Interlocked.Increment(ref count);
        Interlocked.Add(ref ticks, Stopwatch.GetTimestamp() - startTimestamp);
    }

    private static double Average(long ticks, long count) =>
        count == 0 ? 0 : Stopwatch.GetElapsedTime(0, Interlocked.Read(ref ticks)).TotalMilliseconds / Interlocked.Read(ref count);
}
