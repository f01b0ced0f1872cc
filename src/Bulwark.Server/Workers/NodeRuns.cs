using System.Collections.Concurrent;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Server.Workers;

/// <summary>
/// Runs on this node the jobs a remote worker's claim took but only a node can run (AUTH-7,
/// NET-1): an <c>http</c> job needs the egress guard, the node's secret providers and the audit
/// log, none of which a remote <c>bulwark worker</c> has. The claim already holds the lease, so the
/// node's <see cref="JobRunner"/> runs the attempt under it (heartbeats, cancel, fenced completion)
/// exactly as a locally claimed one. At shutdown the runs are stopped like the pool's: nothing is
/// written, the leases expire, and the reaper hands the jobs to the next claim.
/// </summary>
internal sealed class NodeRuns(JobRunner runner, WorkSignal signal) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _runs = new();

    /// <summary>Whether a remote worker runs jobs of <paramref name="kind"/> itself (it has only the sandbox).</summary>
    public static bool RunsRemotely(TemplateKind kind) => kind == TemplateKind.Script;

    public void Start(ClaimedJob job)
    {
        if (_stopping.IsCancellationRequested)
        {
            // Shutting down: the job keeps its claim until the lease lapses, then the reaper requeues it.
            return;
        }

        var run = Task.Run(() => runner.RunAsync(job, _stopping.Token), CancellationToken.None);
        _runs[run] = 0;
        run.ContinueWith(
            finished =>
            {
                _runs.TryRemove(finished, out _);
                signal.Notify();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The host may stop its services more than once (serve stops, then disposes); only the
    // container disposes the token source, after the last stop.
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_runs.Keys).WaitAsync(cancellationToken);
    }

    public void Dispose() => _stopping.Dispose();
}
