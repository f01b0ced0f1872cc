using Bulwark.Core.Jobs;

namespace Bulwark.Server.Workers;

/// <summary>
/// Where a run reports to while it holds a lease (JOB-3): the store itself for the server's own
/// workers, the worker API for a remote <c>bulwark worker</c>. <see cref="JobRunner"/> only talks
/// through this, so both run a job the same way.
/// </summary>
internal interface ILeaseChannel
{
    /// <summary>
    /// Extends the lease. Returns whether a cancel was requested; throws
    /// <see cref="Core.Errors.ConflictException"/> when the lease was lost.
    /// </summary>
    Task<bool> HeartbeatAsync(Lease lease, CancellationToken ct);

    /// <summary>
    /// Reports how the attempt ended; the side that owns the store decides the next state from it
    /// (<see cref="AttemptOutcomes.Decide"/>). Throws <see cref="Core.Errors.ConflictException"/>
    /// when the lease is stale, in which case nothing was written.
    /// </summary>
    /// <returns>The next state when this side decided it; null when the server did (remote workers).</returns>
    Task<JobState?> CompleteAsync(ClaimedJob claimed, AttemptResult result, CancellationToken ct);
}
