using System.Collections.Concurrent;
using Bulwark.Core.Jobs;

namespace Bulwark.Server.Worker;

/// <summary>
/// The claims this server handed to remote workers, kept so that a completion is judged against
/// what the server gave out — the job's attempts, the template's retry policy and output limit —
/// and never against what the worker says about itself (JOB-3, JOB-4). A lease this node did not
/// hand out (another node's, or one from before a restart) is answered <c>lease_lost</c>: the run
/// is killed and the reaper gives the job to the next claim.
/// </summary>
internal sealed class RemoteLeases(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RemoteLease> _byJob = new(StringComparer.Ordinal);

    public void Add(ClaimedJob claimed, TimeSpan extension)
    {
        Prune();
        _byJob[claimed.Lease.JobId] = new RemoteLease(claimed, extension) { ExpiresAt = claimed.LeaseExpiresAt };
    }

    /// <summary>The live claim with exactly this fence, or null.</summary>
    public RemoteLease? Find(Lease lease) =>
        _byJob.TryGetValue(lease.JobId, out var held) && held.Claimed.Lease == lease ? held : null;

    public void Remove(RemoteLease held) =>
        _byJob.TryRemove(new KeyValuePair<string, RemoteLease>(held.Claimed.Lease.JobId, held));

    public int Count => _byJob.Count;

    // A worker that vanished leaves its entry behind; once well past its expiry the reaper has
    // taken the job back and the entry can only ever answer lease_lost, so it goes.
    private void Prune()
    {
        var cutoff = time.GetUtcNow();
        foreach (var (_, held) in _byJob)
        {
            if (held.ExpiresAt + held.Extension < cutoff)
            {
                Remove(held);
            }
        }
    }
}

/// <summary>One claim held by a remote worker.</summary>
internal sealed record RemoteLease(ClaimedJob Claimed, TimeSpan Extension)
{
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Set once a heartbeat told the worker to cancel: only then may it report <c>cancelled</c>.</summary>
    public bool CancelSeen { get; set; }
}
