using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Server.Workers;

namespace Bulwark.Server.Worker;

/// <summary>
/// The lease channel of a remote worker: heartbeats and the completion go to the server's worker
/// API, which decides the next state itself. A completion that cannot be delivered is retried a
/// few times while the lease may still hold; after that the lease expires and the job is retried.
/// </summary>
internal sealed class RemoteLeaseChannel(IWorkerApi api, TimeProvider time) : ILeaseChannel
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    public Task<bool> HeartbeatAsync(Lease lease, CancellationToken ct) => api.HeartbeatAsync(lease, ct);

    public async Task<JobState?> CompleteAsync(ClaimedJob claimed, AttemptResult result, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await api.CompleteAsync(claimed.Lease, result, ct);
                return null;
            }
            catch (Exception e) when (attempt < Backoff.Length && e is HttpRequestException or TaskCanceledException or UnavailableException
                                      && !ct.IsCancellationRequested)
            {
                await Task.Delay(Backoff[attempt], time, ct);
            }
        }
    }
}
