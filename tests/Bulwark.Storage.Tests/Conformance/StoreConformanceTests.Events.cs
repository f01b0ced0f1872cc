using Bulwark.Core.Audit;
using Bulwark.Core.Events;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Tests.Conformance;

// JOB-10, AUD-3, TEN-1: the events every store keeps, per tenant, for the retention window.
public abstract partial class StoreConformanceTests
{
    private IEventStore Events => (IEventStore)Store;

    private TenantEvent NewEvent(TenantScope scope, string type = "order.created", int depth = 0)
    {
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        return new TenantEvent
        {
            Id = EventIds.New(Clock),
            TenantId = scope.TenantId,
            EventType = type,
            TraceId = "trace-1",
            PayloadJson = """{"order":42}""",
            ReceivedAt = Now,
            Actor = "key:k1",
            Depth = depth,
        };
    }

    /// <summary>The event.submit entry the server writes with an event.</summary>
    private AuditEntry Submitted(TenantScope scope, TenantEvent tenantEvent) =>
        ChainEntry(scope.TenantId, "event.submit") with { Target = tenantEvent.Id };

    [Fact] // AUD-1: the event and its entry are kept together, or neither: a second event with the same id leaves no second entry
    public async Task An_event_is_stored_with_its_audit_entry_in_one_transaction()
    {
        var acme = await NewTenantAsync("acme");
        var stored = NewEvent(acme);
        await Events.AddEventAsync(acme, stored, Submitted(acme, stored), Ct);

        await Assert.ThrowsAnyAsync<Exception>(() => Events.AddEventAsync(acme, stored with { EventType = "other" }, Submitted(acme, stored), Ct));

        Assert.Equal("order.created", (await Events.FindEventAsync(acme, stored.Id, Ct))!.EventType);
        var entry = Assert.Single(await AllAuditAsync(), e => e.Entry.Target == stored.Id);
        Assert.Equal(("event.submit", acme.TenantId), (entry.Entry.Action, entry.Entry.TenantId));
        Assert.True((await VerifyAuditAsync()).Whole);
    }

    [Fact] // JOB-10
    public async Task An_event_is_stored_and_read_back_whole()
    {
        var acme = await NewTenantAsync("acme");
        var stored = NewEvent(acme, depth: 3);
        await Events.AddEventAsync(acme, stored, Submitted(acme, stored), Ct);

        var read = await Events.FindEventAsync(acme, stored.Id, Ct);
        Assert.Equal(stored, read);
    }

    [Fact] // TEN-1: another tenant's event is absent, not forbidden
    public async Task Another_tenants_event_is_not_found()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        var stored = NewEvent(acme);
        await Events.AddEventAsync(acme, stored, Submitted(acme, stored), Ct);

        Assert.Null(await Events.FindEventAsync(other, stored.Id, Ct));
    }

    [Fact] // AUD-3: every tenant's events older than the cutoff go, newer ones stay
    public async Task Retention_removes_events_received_before_the_cutoff_in_every_tenant()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        var oldAcme = NewEvent(acme);
        var oldOther = NewEvent(other);
        await Events.AddEventAsync(acme, oldAcme, Submitted(acme, oldAcme), Ct);
        await Events.AddEventAsync(other, oldOther, Submitted(other, oldOther), Ct);
        Clock.Advance(TimeSpan.FromDays(91));
        var fresh = NewEvent(acme);
        await Events.AddEventAsync(acme, fresh, Submitted(acme, fresh), Ct);

        var removed = await Events.RemoveExpiredEventsAsync(Now - TimeSpan.FromDays(90), Ct);

        Assert.Equal(2, removed);
        Assert.Null(await Events.FindEventAsync(acme, oldAcme.Id, Ct));
        Assert.Null(await Events.FindEventAsync(other, oldOther.Id, Ct));
        Assert.NotNull(await Events.FindEventAsync(acme, fresh.Id, Ct));
    }
}
