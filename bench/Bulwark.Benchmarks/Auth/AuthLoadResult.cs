namespace Bulwark.Benchmarks.Auth;

internal sealed record AuthLoadResult(string Name, int Requests, int Failures, TimeSpan Elapsed)
{
    public double PerSecond => Requests / Elapsed.TotalSeconds;
}
