using Bulwark.Core.Audit;
using Bulwark.Core.Manifests;
using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Operations;

/// <summary>
/// AUD-3: once at start and then daily, removes what retention allows: audit entries past
/// <c>BULWARK_RETENTION_AUDIT_DAYS</c> (each chain cut behind a checkpoint, so the rest still
/// verifies) and finished jobs past <c>BULWARK_RETENTION_JOBS_DAYS</c>. On PostgreSQL one node
/// sweeps at a time (the store's advisory lock); the others skip that round.
/// </summary>
public sealed partial class RetentionSweeper(
    IBulwarkStore store, BulwarkOptions options, TimeProvider time, ILogger<RetentionSweeper> log, IManifestStore? manifests = null)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    /// <summary>One sweep at the clock's now; null when another node is sweeping.</summary>
    public async Task<RetentionSweep?> SweepOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var sweep = await store.SweepRetentionAsync(AuditSettings.CutoffsAt(options, now), now, ct);
        if (store is Core.Events.IEventStore events) { await events.RemoveExpiredEventsAsync(Events.EventSettings.CutoffAt(options, now), ct); } // AUD-3: events
        if (sweep is { } done)
        {
            Swept(log, done.AuditEntriesRemoved, done.Checkpoints, done.JobsRemoved);
            if (manifests is not null)
            {
                // JOB-11: manifests 90 days, replay bundles 30 (their own windows, swept in the same round).
                var removed = await manifests.RemoveExpiredManifestsAsync(Manifests.ManifestSettings.CutoffsAt(options, now), ct);
                SweptManifests(log, removed.ManifestsRemoved, removed.BundlesRemoved);
            }
        }

        return sweep;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next round tries again; retention is a day late, never a crashed server.
                SweepFailed(log, e.GetType().Name);
            }

            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep: {AuditEntries} audit entries removed behind {Checkpoints} checkpoints, {Jobs} finished jobs removed.")]
    private static partial void Swept(ILogger logger, long auditEntries, int checkpoints, long jobs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep: {Manifests} manifests and {Bundles} replay bundles removed.")]
    private static partial void SweptManifests(ILogger logger, long manifests, long bundles);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep failed ({Error}); it runs again in a day.")]
    private static partial void SweepFailed(ILogger logger, string error);
}
