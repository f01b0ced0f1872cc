using System.Collections.Concurrent;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Sandbox;
using Bulwark.Sandbox;
using Bulwark.Server.Execution;
using Bulwark.Server.Hosting;
using Bulwark.Server.Workers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Server.Worker;

/// <summary>
/// <c>bulwark worker</c> (AUTH-7, JOB-3): claims through the worker API and runs each job exactly
/// as the server's own workers do (<see cref="JobRunner"/>: heartbeats, cancel, fenced completion)
/// in this host's own bubblewrap sandbox. When stopped, in-flight runs are killed and nothing is
/// reported for them: their leases expire and the server's reaper gives the jobs to the next claim.
/// </summary>
/// <remarks>
/// The runtime API is node-local (its capability tokens are minted and checked by the node that
/// runs the job), so a remotely run job gets no <c>BULWARK_TASK_TOKEN</c> and no runtime socket.
/// </remarks>
public sealed class RemoteWorker
{
    private readonly IWorkerApi _api;
    private readonly RemoteWorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ISandbox _sandbox;
    private readonly JobRunner _runner;
    private readonly ConcurrentDictionary<Task, byte> _runs = new();

    public RemoteWorker(IWorkerApi api, RemoteWorkerOptions options, ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Workers is < 1 or > 256)
        {
            throw new InvalidPayloadException("--workers must be between 1 and 256.");
        }

        _api = api;
        _options = options;
        _time = time ?? TimeProvider.System;
        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<RemoteWorker>();
        _sandbox = new BubblewrapSandbox(new BubblewrapOptions
        {
            BwrapPath = options.BwrapPath,
            Uid = options.SandboxUid,
            Gid = options.SandboxGid,
            WorkRoot = Path.Combine(Path.GetFullPath(options.DataDir), "runs"),
        });
        var runOptions = new BulwarkOptions
        {
            DataDir = options.DataDir,
            LeaseSeconds = options.LeaseSeconds,
            HeartbeatSeconds = Math.Max(1, options.LeaseSeconds / 3),
        };
        _runner = new JobRunner(
            new RemoteLeaseChannel(api, _time),
            // No LiveLogs: a remote worker has no store and no log channel, so stdout and stderr
            // travel whole in the completion at the end of the attempt (JOB-6).
            new ExecutorRegistry([new ScriptExecutor(_sandbox)]),
            new RunningJobs(),
            runOptions,
            _time,
            loggers.CreateLogger<JobRunner>());
    }

    /// <summary>Refuses (BOX-5) when this host cannot confine jobs: a worker without a sandbox would run them bare.</summary>
    public void EnsureSandbox()
    {
        var health = _sandbox.Health;
        if (!health.Usable)
        {
            throw new UnavailableException($"This host cannot run jobs confined: {health.Detail}", "sandbox_unavailable");
        }
    }

    /// <summary>Runs until <paramref name="stopping"/> fires, then waits for the killed runs to wind down.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        EnsureSandbox();
        Directory.CreateDirectory(_options.DataDir);
        // Not disposed: a run finishing after the loop still releases its slot.
        var slots = new SemaphoreSlim(_options.Workers, _options.Workers);
        var lease = TimeSpan.FromSeconds(_options.LeaseSeconds);
        var poll = TimeSpan.FromMilliseconds(_options.PollMilliseconds);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var free = slots.CurrentCount;
                IReadOnlyList<ClaimedJob> claimed = [];
                if (free > 0)
                {
                    try
                    {
                        claimed = await _api.ClaimAsync(free, lease, stopping);
                    }
                    catch (Exception e) when (e is not (OperationCanceledException or UnauthenticatedException or NotFoundException))
                    {
                        // The server may be restarting; a refused credential or a missing API is not retried.
                        WorkerLog.LoopFailed(_logger, e);
                    }
                }

                foreach (var job in claimed)
                {
                    await slots.WaitAsync(stopping);
                    Start(job, slots, stopping);
                }

                if (claimed.Count == 0 || claimed.Count < free)
                {
                    await Task.Delay(poll, _time, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            WorkerLog.Stopping(_logger, _runs.Count);
            // Runs see the stopping token, kill their sandboxes and report nothing.
            await Task.WhenAll(_runs.Keys);
        }
    }

    private void Start(ClaimedJob job, SemaphoreSlim slots, CancellationToken stopping)
    {
        var run = Task.Run(async () =>
        {
            try
            {
                await _runner.RunAsync(job, stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Undeliverable completion: the lease expires and the server retries the job.
                WorkerLog.LoopFailed(_logger, e);
            }
        }, CancellationToken.None);
        _runs[run] = 0;
        run.ContinueWith(
            finished =>
            {
                _runs.TryRemove(finished, out _);
                slots.Release();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
