using System.Collections.Concurrent;
using Bulwark.Core.Jobs;
using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Bulwark.Server.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Workers;

/// <summary>
/// The bounded pool of <c>bulwark serve</c>: claims as many due jobs as it has free slots, in
/// batches (one write transaction per batch), runs each on its own task, and sleeps until a
/// signal or the next due job when there is nothing to do.
/// </summary>
internal sealed class JobWorkerPool(
    IBulwarkStore store,
    JobRunner runner,
    WorkSignal signal,
    BulwarkOptions options,
    TimeProvider time,
    ILogger<JobWorkerPool> logger) : BackgroundService
{
    private readonly string _workerId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<Task, byte> _runs = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(options.Workers, options.Workers);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wake = signal.Current;
                var free = slots.CurrentCount;
                var claimed = free > 0 ? await ClaimAsync(Math.Min(free, options.ClaimBatch), stoppingToken) : [];
                foreach (var job in claimed)
                {
                    await slots.WaitAsync(stoppingToken);
                    Start(job, slots, stoppingToken);
                }

                if (free > 0 && claimed.Count == Math.Min(free, options.ClaimBatch))
                {
                    continue; // a full batch: there may be more due right now
                }

                await SleepAsync(wake, free > 0, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        // Runs see the stopping token, kill their sandboxes and write nothing; their leases
        // expire and another node (or the next start) takes the jobs again.
        await Task.WhenAll(_runs.Keys);
    }

    private void Start(ClaimedJob job, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        var run = Task.Run(() => runner.RunAsync(job, stoppingToken), CancellationToken.None);
        _runs[run] = 0;
        run.ContinueWith(
            finished =>
            {
                _runs.TryRemove(finished, out _);
                slots.Release();
                signal.Notify();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(int max, CancellationToken ct)
    {
        try
        {
            return await store.ClaimAsync(_workerId, max, TimeSpan.FromSeconds(options.LeaseSeconds), time.GetUtcNow(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.WorkerLoopFailed(logger, e);
            return [];
        }
    }

    private async Task SleepAsync(Task wake, bool hasFreeSlots, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(options.PollMilliseconds);
        if (hasFreeSlots)
        {
            try
            {
                if (await store.NextDueAtAsync(ct) is { } due)
                {
                    var untilDue = due - time.GetUtcNow();
                    delay = untilDue < delay ? (untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue) : delay;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.WorkerLoopFailed(logger, e);
            }
        }

        try
        {
            await wake.WaitAsync(delay, time, ct);
        }
        catch (TimeoutException)
        {
            // Time to look again.
        }
    }
}
