namespace Bulwark.Benchmarks.Queue;

/// <summary>How long one queue took to take in and to work off the same load.</summary>
internal sealed record QueueLoadResult(string Name, int Jobs, TimeSpan Enqueue, TimeSpan Drain)
{
    public double EnqueuePerSecond => Jobs / Enqueue.TotalSeconds;
    public double DrainPerSecond => Jobs / Drain.TotalSeconds;
    public double EndToEndPerSecond => Jobs / (Enqueue + Drain).TotalSeconds;
}
