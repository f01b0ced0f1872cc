using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Bulwark.Server.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Workers;

/// <summary>Returns jobs whose worker stopped heartbeating to the queue (JOB-3).</summary>
internal sealed class LeaseReaper(
    IBulwarkStore store,
    WorkSignal signal,
    BulwarkOptions options,
    TimeProvider time,
    ILogger<LeaseReaper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.ReaperSeconds), time);
        try
        {
            do
            {
                try
                {
                    var reaped = await store.ReapExpiredLeasesAsync(time.GetUtcNow(), stoppingToken);
                    if (reaped > 0)
                    {
                        Log.Reaped(logger, reaped);
                        signal.Notify();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.ReaperFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
