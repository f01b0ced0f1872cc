using System.Collections.Concurrent;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Server.Hosting;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Server.Workers;

/// <summary>
/// Runs on this node the jobs a remote worker's claim took but only a node can run (AUTH-7,
/// NET-1): an <c>http</c> job needs the egress guard, the node's secret providers and the audit
/// log, none of which a remote <c>bulwark worker</c> has. The claim already holds the lease, so the
/// node's <see cref="JobRunner"/> runs the attempt under it (heartbeats, cancel, fenced completion)
/// exactly as a locally claimed one, at most <c>BULWARK_WORKERS</c> at a time; a job waiting for
/// its turn keeps its lease alive. At shutdown the runs are stopped like the pool's: nothing is
/// written, the leases expire, and the reaper hands the jobs to the next claim.
/// </summary>
internal sealed class NodeRuns(JobRunner runner, WorkSignal signal, IBulwarkStore store, BulwarkOptions options, TimeProvider time)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _runs = new();
    private readonly SemaphoreSlim _slots = new(options.Workers, options.Workers);
    private readonly StoreLeaseChannel _leases = new(store, options, time);

    /// <summary>Whether a remote worker runs jobs of <paramref name="kind"/> itself (it has only the sandbox).</summary>
    public static bool RunsRemotely(TemplateKind kind) => kind == TemplateKind.Script;

    /// <summary>
    /// Takes over <paramref name="job"/>: its lease, the worker's length, becomes this node's
    /// (a short one could lapse mid-request and the job run twice), then it runs in its turn.
    /// </summary>
    public async Task StartAsync(ClaimedJob job)
    {
        if (_stopping.IsCancellationRequested)
        {
            // Shutting down: the job keeps its claim until the lease lapses, then the reaper requeues it.
            return;
        }

        await _leases.HeartbeatAsync(job.Lease, CancellationToken.None);
        var run = Task.Run(() => RunInTurnAsync(job, _stopping.Token), CancellationToken.None);
        _runs[run] = 0;
        _ = run.ContinueWith(
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

    public void Dispose()
    {
        _stopping.Dispose();
        _slots.Dispose();
    }

    private async Task RunInTurnAsync(ClaimedJob job, CancellationToken stopping)
    {
        try
        {
            // Waiting for a slot, the lease is renewed as a run's heartbeat would.
            while (!await _slots.WaitAsync(TimeSpan.FromSeconds(options.HeartbeatSeconds), stopping))
            {
                await _leases.HeartbeatAsync(job.Lease, stopping);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ConflictException)
        {
            // Stopping, or the lease is gone (cancelled, or reaped): the job is not this node's to run.
            return;
        }

        try
        {
            await runner.RunAsync(job, stopping);
        }
        finally
        {
            _slots.Release();
        }
    }
}
