using Bulwark.Core.Audit;
using Bulwark.Core.Manifests;
using Bulwark.Core.Retention;

namespace Bulwark.Storage.Tests.Conformance;

// AUD-3: retention per data type AND tenant. A tenant with a window of its own is swept by its
// cutoff, in both directions (kept longer, or removed sooner); every other tenant by the default.
public abstract partial class StoreConformanceTests
{
    private TenantCutoffs Days(int defaultDays, string tenantId, int tenantDays) =>
        new(Now - TimeSpan.FromDays(defaultDays), new Dictionary<string, DateTimeOffset> { [tenantId] = Now - TimeSpan.FromDays(tenantDays) });

    [Fact] // AUD-3: audit per tenant; the system chain follows the default
    public async Task Sweep_cuts_each_tenants_audit_chain_by_its_own_window()
    {
        var keeper = await NewTenantAsync("keeper");
        var other = await NewTenantAsync("other");
        await Store.AppendAuditAsync(ChainEntry(keeper.TenantId, "old.keeper"), Ct);
        await Store.AppendAuditAsync(ChainEntry(other.TenantId, "old.other"), Ct);
        await Store.AppendAuditAsync(ChainEntry(null, "old.system"), Ct);
        Clock.Advance(TimeSpan.FromDays(400));

        var sweep = await Store.SweepRetentionAsync(new RetentionCutoffs(Days(365, keeper.TenantId, 730), Now - TimeSpan.FromDays(90)), Now, Ct);

        Assert.Equal(2, sweep!.AuditEntriesRemoved);
        var actions = (await AllAuditAsync()).Select(e => e.Entry.Action).ToList();
        Assert.Contains("old.keeper", actions);
        Assert.DoesNotContain("old.other", actions);
        Assert.DoesNotContain("old.system", actions);
        Assert.True((await VerifyAuditAsync()).Whole);
    }

    [Fact] // AUD-3: jobs per tenant, with their rows
    public async Task Sweep_removes_finished_jobs_by_each_tenants_own_window()
    {
        var (soon, soonTemplate) = await TenantWithTemplateAsync("soon");
        var (usual, usualTemplate) = await TenantWithTemplateAsync("usual");
        var soonJob = await EnqueueAsync(soon, soonTemplate);
        var usualJob = await EnqueueAsync(usual, usualTemplate);
        foreach (var claimed in await Store.ClaimAsync("w1", 2, LeaseTime, Now, Ct))
        {
            await Store.CompleteAsync(claimed.Lease, Succeeded("out\n"), Now, Ct);
        }

        Clock.Advance(TimeSpan.FromDays(8));

        var sweep = await Store.SweepRetentionAsync(new RetentionCutoffs(Now - TimeSpan.FromDays(365), Days(90, soon.TenantId, 7)), Now, Ct);

        Assert.Equal(1, sweep!.JobsRemoved);
        Assert.Null(await GetAsync(soon, soonJob.Id));
        Assert.Null(await Store.GetLogsAsync(soon, soonJob.Id, Ct));
        Assert.NotNull(await GetAsync(usual, usualJob.Id));
    }

    [Fact] // AUD-3: events per tenant
    public async Task Retention_removes_events_by_each_tenants_own_window()
    {
        var keeper = await NewTenantAsync("keeper");
        var other = await NewTenantAsync("other");
        var kept = NewEvent(keeper);
        var expired = NewEvent(other);
        await Events.AddEventAsync(keeper, kept, Submitted(keeper, kept), Ct);
        await Events.AddEventAsync(other, expired, Submitted(other, expired), Ct);
        Clock.Advance(TimeSpan.FromDays(91));

        var removed = await Events.RemoveExpiredEventsAsync(Days(90, keeper.TenantId, 180), Ct);

        Assert.Equal(1, removed);
        Assert.NotNull(await Events.FindEventAsync(keeper, kept.Id, Ct));
        Assert.Null(await Events.FindEventAsync(other, expired.Id, Ct));
    }

    [Fact] // AUD-3: manifests and bundles per tenant, each kind by its own cutoffs
    public async Task Retention_removes_manifests_and_bundles_by_each_tenants_own_windows()
    {
        var soon = await NewTenantAsync("soon");
        var usual = await NewTenantAsync("usual");
        await Manifests.SaveManifestAsync(soon, Manifest(soon, "job_soon"), Bundle(soon, "job_soon"), Ct);
        await Manifests.SaveManifestAsync(usual, Manifest(usual, "job_usual"), Bundle(usual, "job_usual"), Ct);
        Clock.Advance(TimeSpan.FromDays(20));

        var sweep = await Manifests.RemoveExpiredManifestsAsync(
            new ManifestCutoffs(Days(90, soon.TenantId, 10), Days(30, soon.TenantId, 10)), Ct);

        Assert.Equal(new ManifestSweep(1, 1), sweep);
        Assert.Null(await Manifests.FindManifestAsync(soon, "job_soon", Ct));
        Assert.Null(await Manifests.FindReplayBundleAsync("job_soon", Ct));
        Assert.NotNull(await Manifests.FindManifestAsync(usual, "job_usual", Ct));
        Assert.NotNull(await Manifests.FindReplayBundleAsync("job_usual", Ct));
    }
}
