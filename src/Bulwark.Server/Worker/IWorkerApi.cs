using Bulwark.Core.Jobs;

namespace Bulwark.Server.Worker;

/// <summary>
/// What a remote worker needs of the server's worker API (AUTH-7, JOB-3), in the platform's own
/// types; the CLI adapts the HTTP client to it. A stale lease is a
/// <see cref="Core.Errors.ConflictException"/>; a refused credential an
/// <see cref="Core.Errors.UnauthenticatedException"/>.
/// </summary>
public interface IWorkerApi
{
    Task<IReadOnlyList<ClaimedJob>> ClaimAsync(int max, TimeSpan lease, CancellationToken ct);

    /// <summary>Returns whether a cancel was requested.</summary>
    Task<bool> HeartbeatAsync(Lease lease, CancellationToken ct);

    Task CompleteAsync(Lease lease, AttemptResult result, CancellationToken ct);
}
