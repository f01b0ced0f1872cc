using Bulwark.Core.Jobs;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Workers;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Logs;

/// <summary>
/// Follows one job's logs (JOB-6): every entry after the client's last one, then new ones as
/// they are stored, until the job is in a final state. New entries are found by reading the
/// store (so entries written by any node or remote worker arrive), at a short interval and at
/// once when this node's <see cref="WorkSignal"/> fires (a local run ended and wrote its output).
/// </summary>
internal sealed class LogFollower(IBulwarkStore store, WorkSignal signal, TimeProvider time)
{
    /// <summary>How long a stream waits for new entries before reading the store again.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>A comment line this often keeps proxies and load balancers from closing an idle stream.</summary>
    public static readonly TimeSpan KeepaliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>Streams until the job ends, the client goes or <paramref name="ct"/> (server shutdown) fires.</summary>
    /// <param name="sent">How many entries the client already has (its <c>Last-Event-ID</c>).</param>
    public async Task FollowAsync(TenantScope tenant, string jobId, long sent, ServerSentEvents events, CancellationToken ct)
    {
        await events.StartAsync(ct);
        var lastWrite = time.GetTimestamp();
        while (true)
        {
            // Taken before reading, so a run that ends while we read still wakes the wait below.
            var wake = signal.Current;
            // The state first: when it is final, the logs read after it hold everything the run wrote.
            var job = await store.GetJobAsync(tenant, jobId, ct);
            var logs = job is null ? null : await store.GetLogsAsync(tenant, jobId, ct);
            if (job is null || logs is null)
            {
                // Purged while followed (TEN-4): nothing more will come.
                return;
            }

            for (var i = sent; i < logs.Count; i++)
            {
                await events.WriteLogAsync(i + 1, logs[(int)i], ct);
                lastWrite = time.GetTimestamp();
            }

            sent = Math.Max(sent, logs.Count);
            if (JobStateMachine.IsTerminal(job.State))
            {
                await events.WriteEndAsync(job.State, ct);
                await events.FlushAsync(ct);
                return;
            }

            if (time.GetElapsedTime(lastWrite) >= KeepaliveInterval)
            {
                await events.WriteKeepaliveAsync(ct);
                lastWrite = time.GetTimestamp();
            }

            await events.FlushAsync(ct);
            await Task.WhenAny(wake, Task.Delay(PollInterval, time, ct));
            ct.ThrowIfCancellationRequested();
        }
    }
}
