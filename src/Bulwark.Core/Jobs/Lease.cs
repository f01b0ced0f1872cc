namespace Bulwark.Core.Jobs;

/// <summary>
/// The fence of one attempt (JOB-3). Heartbeats and completions must present all three
/// parts; once the lease is reclaimed the token no longer matches and the write is a conflict.
/// </summary>
public sealed record Lease(string JobId, int Attempt, string Token);
