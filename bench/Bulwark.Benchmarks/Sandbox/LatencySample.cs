using System.Diagnostics;

namespace Bulwark.Benchmarks.Sandbox;

/// <summary>Start-to-exit latencies of one variant at one concurrency, and the rate they were achieved at.</summary>
internal sealed record LatencySample(string Variant, int Concurrency, double P50Ms, double P99Ms, double StartsPerSecond)
{
    public static async Task<LatencySample> MeasureAsync(LaunchVariant variant, int runs, int concurrency)
    {
        var latencies = new double[runs];
        var next = -1;
        var wall = Stopwatch.StartNew();
        var lanes = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < runs)
            {
                var started = Stopwatch.GetTimestamp();
                await variant.RunOnceAsync(CancellationToken.None);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        await Task.WhenAll(lanes);
        var seconds = wall.Elapsed.TotalSeconds;

        Array.Sort(latencies);
        return new LatencySample(variant.Name, concurrency, Percentile(latencies, 0.50), Percentile(latencies, 0.99), runs / seconds);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
