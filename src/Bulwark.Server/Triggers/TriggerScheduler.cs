using System.Globalization;
using System.Text.Json;
using Bulwark.Core.Flags;
using Bulwark.Core.Triggers;
using Bulwark.Server.Audit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Triggers;

/// <summary>
/// Fires due cron triggers (JOB-9) on every node. No double fire: a node fires an occurrence only
/// when its conditional update moved the trigger's <c>next_fire_at</c> from exactly that occurrence
/// to the next one (one of any number of racing nodes wins), and the job's idempotency key
/// <c>cron:&lt;trigger&gt;:&lt;occurrence ms&gt;</c> would refuse a second job anyway. The move comes
/// first, so a node dying between the two loses that occurrence rather than firing it twice.
/// No burst after downtime: an occurrence more than <see cref="MisfireGrace"/> old was missed; every
/// missed occurrence is skipped (one <c>trigger.skipped</c> entry with the count) and the next future
/// one is scheduled, or with <c>catch_up</c> only the most recent missed one fires, once.
/// While the triggers flag is off nothing fires; a tenant's own off moves its triggers on silently.
/// </summary>
internal sealed partial class TriggerScheduler(
    ITriggerStore triggers,
    TriggeredJobs triggeredJobs,
    IFeatureFlags flags,
    AuditTrail audit,
    TimeProvider time,
    ILogger<TriggerScheduler> log) : BackgroundService
{
    /// <summary>How often each node looks for due triggers: cron has minute resolution.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    /// <summary>An occurrence older than this when its round comes was missed (the node was down or the flag off).</summary>
    public static readonly TimeSpan MisfireGrace = TimeSpan.FromMinutes(1);

    public const string SkippedAction = "trigger.skipped";

    private const int Batch = 100;

    private const int MaxBatchesPerRound = 20;

    // Missed occurrences counted for the audit entry; beyond this the count says "at least".
    private const int MaxCountedMisses = 100_000;

    // One round at a time on this node: a round started by the loop and one called directly never overlap.
    private readonly SemaphoreSlim _round = new(1, 1);

    /// <summary>One round at the clock's now: fires what is due; returns how many jobs it started.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await _round.WaitAsync(ct);
        try
        {
            if (!flags.IsOn(FeatureFlags.Triggers))
            {
                return 0;
            }

            var now = time.GetUtcNow();
            var started = 0;
            // A full batch means more may be due now: take the next at once (each fired trigger has
            // moved on, so the list moves too), up to a bound that keeps one round short.
            for (var batch = 0; batch < MaxBatchesPerRound; batch++)
            {
                var due = await triggers.ListDueTriggersAsync(now, Batch, ct);
                var failed = 0;
                foreach (var trigger in due)
                {
                    try
                    {
                        started += await FireAsync(trigger, now, ct) ? 1 : 0;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // One trigger's failure must not stop the others; it is due again next round.
                        failed++;
                        FireFailed(log, trigger.Name, e.GetType().Name);
                    }
                }

                // Failed triggers stay due: a batch of nothing else would only list them again.
                if (due.Count < Batch || failed == due.Count)
                {
                    break;
                }
            }

            return started;
        }
        finally
        {
            _round.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                RoundFailed(log, e.GetType().Name);
            }

            try
            {
                await Task.Delay(Poll, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    private async Task<bool> FireAsync(DueTrigger due, DateTimeOffset now, CancellationToken ct)
    {
        var trigger = await triggers.GetTriggerAsync(due.Tenant, due.Name, ct);
        if (trigger is not { Kind: TriggerKind.Cron, Cron: { } cron } || trigger.NextFireAt != due.Due)
        {
            // Replaced or deleted since the list was read: its new schedule is due on its own.
            return false;
        }

        var schedule = CronSchedule.Parse(cron, trigger.TimeZone ?? "UTC");
        var next = trigger.Enabled ? schedule.NextAfter(now) : null;
        if (!flags.IsOn(FeatureFlags.Triggers, due.Tenant.TenantId))
        {
            await triggers.AdvanceTriggerAsync(due.Tenant, due.Name, due.Due, next, ct);
            return false;
        }

        DateTimeOffset? fire = due.Due;
        IReadOnlyList<DateTimeOffset> missed = [];
        if (now - due.Due > MisfireGrace)
        {
            missed = schedule.Between(due.Due, now, MaxCountedMisses);
            fire = trigger.CatchUp && missed.Count > 0 ? missed[^1] : null;
        }

        if (!await triggers.AdvanceTriggerAsync(due.Tenant, due.Name, due.Due, next, ct))
        {
            return false; // another node won this occurrence
        }

        var skipped = fire is null ? missed : missed.Take(missed.Count - 1).ToList();
        if (skipped.Count > 0)
        {
            await audit.RecordAsync(
                audit.Entry(null, due.Tenant.TenantId, TriggeredJobs.ActorOf(due.Name), SkippedAction, due.Name, "success",
                    JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["skipped"] = skipped.Count,
                        ["first"] = Iso(skipped[0]),
                        ["last"] = Iso(skipped[^1]),
                        ["catch_up"] = trigger.CatchUp,
                        ["next_fire_at"] = next is { } n ? Iso(n) : null,
                    })),
                ct);
        }

        if (fire is not { } occurrence)
        {
            return false;
        }

        using var inputs = JsonDocument.Parse(trigger.InputsJson ?? "{}");
        var start = await triggeredJobs.StartAsync(
            null,
            due.Tenant,
            trigger,
            inputs.RootElement,
            $"cron:{trigger.Name}:{occurrence.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}",
            new Dictionary<string, string> { ["occurrence"] = Iso(occurrence) },
            ct);
        return start.Created;
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cron trigger {Trigger} could not be fired ({Error}); it is tried again next round.")]
    private static partial void FireFailed(ILogger logger, string trigger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A trigger scheduler round failed ({Error}); the next one runs in a few seconds.")]
    private static partial void RoundFailed(ILogger logger, string error);
}
