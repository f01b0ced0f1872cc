using Bulwark.Core.Errors;
using Bulwark.Core.Flags;
using Bulwark.Core.Jobs;
using Bulwark.Core.Storage;
using Bulwark.Server.Execution;
using Bulwark.Server.Hosting;
using Bulwark.Server.Logging;
using Bulwark.Server.Manifests;
using Bulwark.Server.Metrics;
using Bulwark.Server.Runtime;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Workers;

/// <summary>
/// Runs one claimed attempt: heartbeats keep the lease while the executor works, a cancel
/// request (local, or seen in a heartbeat) kills the run, and the outcome is written under the
/// lease's fence (JOB-3). When the lease was lost, nothing is written: the job is already
/// someone else's. Heartbeats and the completion go through an <see cref="ILeaseChannel"/>: the
/// store on the server, the worker API in a remote <c>bulwark worker</c> (AUTH-7).
/// </summary>
internal sealed class JobRunner(
    ILeaseChannel channel,
    ExecutorRegistry executors,
    RunningJobs runningJobs,
    BulwarkOptions options,
    TimeProvider time,
    ILogger<JobRunner> logger,
    ManifestRecorder? manifests = null,
    IFeatureFlags? flags = null,
    BulwarkMetrics? metrics = null)
{
    /// <summary>The server's own runner: the store is the lease channel, and finished runs get their manifest (JOB-11).</summary>
    public JobRunner(
        IBulwarkStore store,
        ExecutorRegistry executors,
        RunningJobs runningJobs,
        BulwarkOptions options,
        TimeProvider time,
        ILogger<JobRunner> logger,
        ManifestRecorder? manifests = null,
        IFeatureFlags? flags = null,
        BulwarkMetrics? metrics = null)
        : this(new StoreLeaseChannel(store, options, time), executors, runningJobs, options, time, logger, manifests, flags, metrics)
    {
    }

    public async Task RunAsync(ClaimedJob claimed, CancellationToken stopping)
    {
        var lease = claimed.Lease;
        Log.Claimed(logger, lease.JobId, lease.Attempt);
        using var control = runningJobs.Register(claimed, stopping);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeats = HeartbeatAsync(lease, control, heartbeatStop.Token);
        var started = time.GetTimestamp();

        AttemptResult result;
        try
        {
            result = await ExecuteAsync(claimed, control.Token);
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeats;
        }

        // JOB-7: what the job PUT as its result is kept with the run, beside the executor's facts.
        if (control.CloseRuntime() is { } output)
        {
            result = result with { ResultJson = RunOutput.Merge(result.ResultJson, output) };
        }

        var lost = control.LeaseLost || (stopping.IsCancellationRequested && !control.CancelRequested);
        metrics?.RunEnded(claimed.Template.Definition.Kind, result, lost, time.GetElapsedTime(started)); // OPS-2
        if (lost)
        {
            Log.LeaseLost(logger, lease.JobId, lease.Attempt);
            return;
        }

        try
        {
            var next = await channel.CompleteAsync(claimed, result, CancellationToken.None);
            Log.AttemptEnded(logger, lease.JobId, lease.Attempt, next?.ToName() ?? "reported", result.ErrorCode ?? "ok");
            if (manifests is not null && next is { } state)
            {
                await manifests.RecordAsync(claimed, result, state, CancellationToken.None);
            }
        }
        catch (ConflictException)
        {
            Log.LeaseLost(logger, lease.JobId, lease.Attempt);
        }
    }

    private async Task<AttemptResult> ExecuteAsync(ClaimedJob claimed, CancellationToken ct)
    {
        // FLAG-2: a family flag turned off while the job waited stops it here (a remote worker's
        // jobs are stopped by the server's claim path instead, which holds the flags).
        if (flags is not null && Flags.KillSwitch.Refusal(flags, claimed) is { } refused)
        {
            return refused;
        }

        var executor = executors.Find(claimed.Template.Definition.Kind);
        if (executor is null)
        {
            return new AttemptResult
            {
                Kind = AttemptResultKind.PermanentFailure,
                Error = "This node cannot run templates of this kind.",
                ErrorCode = "unsupported_kind",
            };
        }

        try
        {
            return await executor.ExecuteAsync(claimed, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RunFailed(logger, claimed.Lease.JobId, claimed.Lease.Attempt, e);
            return new AttemptResult
            {
                Kind = AttemptResultKind.RetryableFailure,
                Error = "The worker failed to run the job; see the server log.",
                ErrorCode = "worker_error",
            };
        }
    }

    private async Task HeartbeatAsync(Lease lease, RunControl control, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.HeartbeatSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    if (await channel.HeartbeatAsync(lease, ct))
                    {
                        control.CancelOnRequest();
                    }
                }
                catch (ConflictException)
                {
                    control.LoseLease();
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A store hiccup is not a lost lease; the next beat may succeed before expiry.
                    Log.WorkerLoopFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }
}
