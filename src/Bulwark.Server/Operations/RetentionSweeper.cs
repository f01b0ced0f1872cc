using Bulwark.Core.Audit;
using Bulwark.Core.Events;
using Bulwark.Core.Manifests;
using Bulwark.Core.Retention;
using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Operations;

/// <summary>
/// AUD-3: once at start and then daily, removes what retention allows, per data type and tenant
/// (<see cref="RetentionSettings"/>): audit entries (each chain cut behind a checkpoint, so the
/// rest still verifies), finished jobs, events, manifests and replay bundles. On PostgreSQL one
/// node sweeps at a time (the store's advisory lock); the others skip that round.
/// </summary>
public sealed partial class RetentionSweeper(
    IBulwarkStore store,
    IEventStore events,
    IManifestStore manifests,
    BulwarkOptions options,
    TimeProvider time,
    ILogger<RetentionSweeper> log)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    /// <summary>One sweep at the clock's now; null when another node is sweeping.</summary>
    public async Task<RetentionSweep?> SweepOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var tenants = await store.ListTenantsAsync(ct);
        TenantCutoffs Cutoffs(RetentionKind kind) => RetentionSettings.CutoffsAt(options, kind, tenants, now);

        var sweep = await store.SweepRetentionAsync(
            new RetentionCutoffs(Cutoffs(RetentionKind.Audit), Cutoffs(RetentionKind.Jobs)), now, ct);
        if (sweep is null)
        {
            return null;
        }

        var eventsRemoved = await events.RemoveExpiredEventsAsync(Cutoffs(RetentionKind.Events), ct);
        var manifestSweep = await manifests.RemoveExpiredManifestsAsync(
            new ManifestCutoffs(Cutoffs(RetentionKind.Manifests), Cutoffs(RetentionKind.ReplayBundles)), ct);
        Swept(
            log, sweep.AuditEntriesRemoved, sweep.Checkpoints, sweep.JobsRemoved, eventsRemoved,
            manifestSweep.ManifestsRemoved, manifestSweep.BundlesRemoved);
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

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Retention sweep: {AuditEntries} audit entries removed behind {Checkpoints} checkpoints, {Jobs} finished jobs, "
            + "{Events} events, {Manifests} manifests and {Bundles} replay bundles removed.")]
    private static partial void Swept(ILogger logger, long auditEntries, int checkpoints, long jobs, long events, long manifests, long bundles);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep failed ({Error}); it runs again in a day.")]
    private static partial void SweepFailed(ILogger logger, string error);
}
