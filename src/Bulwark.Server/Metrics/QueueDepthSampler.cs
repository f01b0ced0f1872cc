using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Bulwark.Server.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Metrics;

/// <summary>
/// OPS-2: reads the queue depth from the store every <c>BULWARK_METRICS_SAMPLE_SECONDS</c>, first
/// at start, and hands it to the gauge; a scrape never touches the store. The depth is the
/// store's, so every node sharing it reports the same numbers (aggregate nodes with max, not sum).
/// A failed read keeps the last sample and is logged; the next tick tries again.
/// </summary>
internal sealed class QueueDepthSampler(
    IBulwarkStore store, BulwarkMetrics metrics, BulwarkOptions options, TimeProvider time, ILogger<QueueDepthSampler> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.MetricsSampleSeconds), time);
        try
        {
            do
            {
                try
                {
                    metrics.QueueSampled(await store.QueueDepthAsync(stoppingToken));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.QueueDepthSampleFailed(logger, e);
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
