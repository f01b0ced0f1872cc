using Bulwark.Benchmarks.Queue;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>One contender's round: the same figures as the SQLite runner's, and per-call timings where the contender's loop is ours.</summary>
internal sealed record PostgresLoadResult(QueueLoadResult Load, CallTimings? Calls);
