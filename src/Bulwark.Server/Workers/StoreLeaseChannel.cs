using Bulwark.Core.Jobs;
using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Workers;

/// <summary>
/// The lease channel of the server's own workers, and the one the worker API ends in: the
/// store's fenced heartbeat and completion, with the next state decided here from the attempt's
/// result (JOB-3, JOB-4) — never taken from whoever ran the job.
/// </summary>
internal sealed class StoreLeaseChannel(IBulwarkStore store, BulwarkOptions options, TimeProvider time) : ILeaseChannel
{
    public Task<bool> HeartbeatAsync(Lease lease, CancellationToken ct) =>
        HeartbeatAsync(lease, TimeSpan.FromSeconds(options.LeaseSeconds), ct);

    public Task<bool> HeartbeatAsync(Lease lease, TimeSpan extension, CancellationToken ct) =>
        store.HeartbeatAsync(lease, extension, time.GetUtcNow(), ct);

    public async Task<JobState?> CompleteAsync(ClaimedJob claimed, AttemptResult result, CancellationToken ct)
    {
        var completion = AttemptOutcomes.Decide(claimed, result, claimed.Template.Definition.Retry, time.GetUtcNow(), Random.Shared.NextDouble());
        await store.CompleteAsync(claimed.Lease, completion, time.GetUtcNow(), ct);
        return completion.NextState;
    }
}
