using Bulwark.Benchmarks.Queue;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>
/// One contender's round: the same figures as the SQLite runner's, the CPU its drain cost the
/// client and the server, and per-call timings where the contender's loop is ours.
/// </summary>
internal sealed record PostgresLoadResult(QueueLoadResult Load, CpuSample DrainCpu, CallTimings? Calls)
{
    public double ClientMicrosecondsPerJob => DrainCpu.Client.TotalMicroseconds / Load.Jobs;

    public double ServerMicrosecondsPerJob => DrainCpu.Server.TotalMicroseconds / Load.Jobs;
}
