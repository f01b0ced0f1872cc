using Bulwark.Core.Events;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Triggers;

namespace Bulwark.Storage.Tests.Conformance;

// JOB-9, TEN-1: triggers per tenant, the scheduler's cross-tenant due list, and the conditional
// advance that lets exactly one of any number of nodes fire an occurrence.
public abstract partial class StoreConformanceTests
{
    private ITriggerStore Triggers => (ITriggerStore)Store;

    private Trigger CronTrigger(TenantScope scope, string name, DateTimeOffset? next) => new()
    {
        TenantId = scope.TenantId,
        Name = name,
        Kind = TriggerKind.Cron,
        TemplateKey = "ops.scan",
        Cron = "0 9 * * *",
        TimeZone = "Europe/Paris",
        InputsJson = """{"depth":2}""",
        CatchUp = true,
        NextFireAt = next,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    private Trigger EventTrigger(TenantScope scope, string name, string eventType, bool enabled = true) => new()
    {
        TenantId = scope.TenantId,
        Name = name,
        Kind = TriggerKind.Event,
        TemplateKey = "ops.scan",
        EventType = eventType,
        Enabled = enabled,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    [Fact] // JOB-9
    public async Task A_trigger_is_stored_whole_and_a_replacement_keeps_its_creation_time()
    {
        var acme = await NewTenantAsync("acme");
        var first = await Triggers.PutTriggerAsync(acme, CronTrigger(acme, "nightly", Now + TimeSpan.FromHours(1)), Ct);
        Assert.Equal(CronTrigger(acme, "nightly", Now + TimeSpan.FromHours(1)), first);

        var created = Now;
        Clock.Advance(TimeSpan.FromMinutes(5));
        var replaced = await Triggers.PutTriggerAsync(acme, EventTrigger(acme, "nightly", "order.created"), Ct);

        Assert.Equal(TriggerKind.Event, replaced.Kind);
        Assert.Equal(created, replaced.CreatedAt);
        Assert.Equal(Now, replaced.UpdatedAt);
        Assert.Null(replaced.NextFireAt);
        Assert.Equal(replaced, await Triggers.GetTriggerAsync(acme, "nightly", Ct));
        Assert.Single(await Triggers.ListTriggersAsync(acme, Ct));
    }

    [Fact] // TEN-1, RLS-14: the same name in two tenants is two triggers; neither sees nor deletes the other's
    public async Task Triggers_are_per_tenant()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        await Triggers.PutTriggerAsync(acme, EventTrigger(acme, "on-order", "order.created"), Ct);
        await Triggers.PutTriggerAsync(other, EventTrigger(other, "on-order", "order.shipped"), Ct);

        Assert.Equal("order.shipped", (await Triggers.GetTriggerAsync(other, "on-order", Ct))!.EventType);
        Assert.Empty(await Triggers.ListEventTriggersAsync(other, "order.created", Ct));
        Assert.False(await Triggers.DeleteTriggerAsync(other, "missing", Ct));
        Assert.True(await Triggers.DeleteTriggerAsync(other, "on-order", Ct));
        Assert.Null(await Triggers.GetTriggerAsync(other, "on-order", Ct));
        Assert.NotNull(await Triggers.GetTriggerAsync(acme, "on-order", Ct));
    }

    [Fact] // JOB-9
    public async Task Event_triggers_are_listed_by_type_and_only_when_enabled()
    {
        var acme = await NewTenantAsync("acme");
        await Triggers.PutTriggerAsync(acme, EventTrigger(acme, "b", "order.created"), Ct);
        await Triggers.PutTriggerAsync(acme, EventTrigger(acme, "a", "order.created"), Ct);
        await Triggers.PutTriggerAsync(acme, EventTrigger(acme, "off", "order.created", enabled: false), Ct);
        await Triggers.PutTriggerAsync(acme, EventTrigger(acme, "c", "order.shipped"), Ct);

        var bound = await Triggers.ListEventTriggersAsync(acme, "order.created", Ct);

        Assert.Equal(["a", "b"], bound.Select(t => t.Name));
    }

    [Fact] // JOB-9, TEN-4: due = next occurrence reached, of every active tenant, oldest first
    public async Task The_due_list_holds_reached_cron_triggers_of_active_tenants_only()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        var paused = await NewTenantAsync("paused");
        await Triggers.PutTriggerAsync(acme, CronTrigger(acme, "late", Now - TimeSpan.FromMinutes(1)), Ct);
        await Triggers.PutTriggerAsync(other, CronTrigger(other, "later", Now), Ct);
        await Triggers.PutTriggerAsync(acme, CronTrigger(acme, "future", Now + TimeSpan.FromMinutes(1)), Ct);
        await Triggers.PutTriggerAsync(acme, CronTrigger(acme, "disabled", null), Ct);
        await Triggers.PutTriggerAsync(paused, CronTrigger(paused, "held", Now - TimeSpan.FromHours(1)), Ct);
        await Store.SetTenantSuspendedAsync("paused", true, Ct);

        var due = await Triggers.ListDueTriggersAsync(Now, 10, Ct);

        Assert.Equal([("acme", "late"), ("other", "later")], due.Select(d => (d.Tenant.TenantName, d.Name)));
        Assert.Equal(acme.TenantId, due[0].Tenant.TenantId);
        Assert.Equal(Now - TimeSpan.FromMinutes(1), due[0].Due);
        Assert.Single(await Triggers.ListDueTriggersAsync(Now, 1, Ct));
    }

    [Fact] // JOB-9: the advance moves only from the occurrence it names, and only in the caller's tenant
    public async Task Advance_moves_only_from_the_named_occurrence()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        var due = Now;
        await Triggers.PutTriggerAsync(acme, CronTrigger(acme, "nightly", due), Ct);
        var next = due + TimeSpan.FromDays(1);

        Assert.False(await Triggers.AdvanceTriggerAsync(other, "nightly", due, next, Ct));
        Assert.False(await Triggers.AdvanceTriggerAsync(acme, "nightly", due - TimeSpan.FromDays(1), next, Ct));
        Assert.True(await Triggers.AdvanceTriggerAsync(acme, "nightly", due, next, Ct));
        Assert.False(await Triggers.AdvanceTriggerAsync(acme, "nightly", due, next, Ct));
        Assert.Equal(next, (await Triggers.GetTriggerAsync(acme, "nightly", Ct))!.NextFireAt);
    }

    [Fact] // JOB-9: two nodes (two stores on one database) racing for the same occurrences: each is won exactly once
    public async Task Racing_stores_each_win_an_occurrence_exactly_once()
    {
        var acme = await NewTenantAsync("acme");
        var other = (ITriggerStore)await OpenAnotherAsync();
        const int occurrences = 20;
        var start = Now;
        await Triggers.PutTriggerAsync(acme, CronTrigger(acme, "minutely", start), Ct);

        var wins = 0;
        for (var i = 0; i < occurrences; i++)
        {
            var due = start + TimeSpan.FromMinutes(i);
            var next = due + TimeSpan.FromMinutes(1);
            var racers = new[] { Triggers, other, Triggers, other }
                .Select(store => Task.Run(() => store.AdvanceTriggerAsync(acme, "minutely", due, next, Ct)))
                .ToArray();
            var results = await Task.WhenAll(racers);
            Assert.Equal(1, results.Count(won => won));
            wins += results.Count(won => won);
        }

        Assert.Equal(occurrences, wins);
    }

    [Fact] // TEN-4: a purge empties the tenant's events and triggers and keeps everyone else's
    public async Task Purge_removes_the_tenants_events_and_triggers_and_keeps_the_others()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        foreach (var scope in new[] { acme, other })
        {
            await Triggers.PutTriggerAsync(scope, CronTrigger(scope, "nightly", Now), Ct);
            var submitted = new TenantEvent
            {
                Id = NewId("evt_"),
                TenantId = scope.TenantId,
                EventType = "order.created",
                PayloadJson = "{}",
                ReceivedAt = Now,
                Actor = "key:k1",
            };
            await ((IEventStore)Store).AddEventAsync(scope, submitted, Submitted(scope, submitted), Ct);
        }

        await Store.PurgeTenantAsync("acme", PurgeRecord(), Ct);

        var left = await CellsHoldingAsync(acme.TenantId);
        Assert.DoesNotContain(left, cell => cell.StartsWith("events.", StringComparison.Ordinal) || cell.StartsWith("triggers.", StringComparison.Ordinal));
        var kept = await CellsHoldingAsync(other.TenantId);
        Assert.Contains("events.tenant_id", kept);
        Assert.Contains("triggers.tenant_id", kept);
    }
}
