using Bulwark.Core.Audit;
using Bulwark.Core.Manifests;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Tests.Conformance;

// JOB-11: manifests and replay bundles are written once per job, read only within their tenant
// (TEN-1), found across tenants only by the operator's bundle lookup, removed by their own
// retention windows (AUD-3) and by a tenant purge (TEN-4).
public abstract partial class StoreConformanceTests
{
    private IManifestStore Manifests => (IManifestStore)Store;

    private StoredManifest Manifest(TenantScope scope, string jobId, string json = """{"m":1}""") =>
        new(scope.TenantId, jobId, 1, Now, json);

    private StoredReplayBundle Bundle(TenantScope scope, string jobId) => new(scope.TenantId, jobId, Now, """{"b":1}""");

    [Fact] // JOB-11, TEN-1
    public async Task A_manifest_and_its_bundle_are_kept_once_and_read_only_in_their_tenant()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");

        Assert.True(await Manifests.SaveManifestAsync(acme, Manifest(acme, "job_1"), Bundle(acme, "job_1"), Ct));
        Assert.False(await Manifests.SaveManifestAsync(acme, Manifest(acme, "job_1", """{"m":2}"""), null, Ct));

        var found = await Manifests.FindManifestAsync(acme, "job_1", Ct);
        Assert.Equal(Manifest(acme, "job_1"), found);
        Assert.Null(await Manifests.FindManifestAsync(other, "job_1", Ct));
        Assert.Null(await Manifests.FindManifestAsync(acme, "job_2", Ct));
        // The operator's lookup crosses tenants and names the bundle's tenant.
        Assert.Equal(Bundle(acme, "job_1"), await Manifests.FindReplayBundleAsync("job_1", Ct));
        Assert.Null(await Manifests.FindReplayBundleAsync("job_2", Ct));
    }

    [Fact] // JOB-11: without a bundle (replay_bundles off) only the manifest is kept
    public async Task A_manifest_saved_without_a_bundle_leaves_no_bundle()
    {
        var acme = await NewTenantAsync("acme");
        await Manifests.SaveManifestAsync(acme, Manifest(acme, "job_1"), null, Ct);

        Assert.NotNull(await Manifests.FindManifestAsync(acme, "job_1", Ct));
        Assert.Null(await Manifests.FindReplayBundleAsync("job_1", Ct));
    }

    [Fact] // JOB-11, JOB-1: replay finds the exact stored version by id, its own tenant's or a global one, never another tenant's
    public async Task A_template_version_is_found_by_id_within_the_tenant_and_globally()
    {
        var (acme, own) = await TenantWithTemplateAsync("acme");
        var other = await NewTenantAsync("other");
        var global = await PutTemplateAsync(null, "global.t");
        var newer = await PutTemplateAsync(acme.TenantId, own.Key);

        Assert.Equal(1, (await Manifests.FindTemplateVersionAsync(acme, own.Id, Ct))!.Version);
        Assert.Equal(2, (await Manifests.FindTemplateVersionAsync(acme, newer.Id, Ct))!.Version);
        Assert.Equal(global.Id, (await Manifests.FindTemplateVersionAsync(other, global.Id, Ct))!.Id);
        Assert.Null(await Manifests.FindTemplateVersionAsync(other, own.Id, Ct));
    }

    [Fact] // JOB-11: the manifest's timings and exit code come from the attempt row
    public async Task An_attempt_is_read_back_with_its_times_and_exit_code()
    {
        var (acme, template) = await TenantWithTemplateAsync("acme");
        var other = await NewTenantAsync("other");
        var job = await EnqueueAsync(acme, template);
        var claimed = await ClaimOneAsync();
        var started = Now;
        Clock.Advance(TimeSpan.FromSeconds(2));
        await Store.CompleteAsync(claimed.Lease, Succeeded("out") with { ExitCode = 0 }, Now, Ct);

        var attempt = await Manifests.FindAttemptAsync(acme, job.Id, 1, Ct);

        Assert.NotNull(attempt);
        Assert.Equal(started, attempt.StartedAt);
        Assert.Equal(Now, attempt.FinishedAt);
        Assert.Equal(0, attempt.ExitCode);
        Assert.Null(await Manifests.FindAttemptAsync(other, job.Id, 1, Ct));
        Assert.Null(await Manifests.FindAttemptAsync(acme, job.Id, 2, Ct));
    }

    [Fact] // AUD-3: manifests 90 days, bundles 30, every tenant, nothing younger
    public async Task Retention_removes_manifests_and_bundles_past_their_own_windows()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        await Manifests.SaveManifestAsync(acme, Manifest(acme, "job_old"), Bundle(acme, "job_old"), Ct);
        Clock.Advance(TimeSpan.FromDays(60));
        await Manifests.SaveManifestAsync(other, Manifest(other, "job_mid"), Bundle(other, "job_mid"), Ct);
        Clock.Advance(TimeSpan.FromDays(40));
        await Manifests.SaveManifestAsync(acme, Manifest(acme, "job_new"), Bundle(acme, "job_new"), Ct);

        var sweep = await Manifests.RemoveExpiredManifestsAsync(new ManifestCutoffs(Now - TimeSpan.FromDays(90), Now - TimeSpan.FromDays(30)), Ct);

        Assert.Equal(new ManifestSweep(1, 2), sweep);
        Assert.Null(await Manifests.FindManifestAsync(acme, "job_old", Ct));
        Assert.NotNull(await Manifests.FindManifestAsync(other, "job_mid", Ct));
        Assert.Null(await Manifests.FindReplayBundleAsync("job_mid", Ct));
        Assert.NotNull(await Manifests.FindManifestAsync(acme, "job_new", Ct));
        Assert.NotNull(await Manifests.FindReplayBundleAsync("job_new", Ct));
    }

    [Fact] // TEN-4: a purge empties the tenant's manifests and bundles, another tenant's stay
    public async Task Purge_removes_the_tenants_manifests_and_bundles()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        await Manifests.SaveManifestAsync(acme, Manifest(acme, "job_a"), Bundle(acme, "job_a"), Ct);
        await Manifests.SaveManifestAsync(other, Manifest(other, "job_o"), Bundle(other, "job_o"), Ct);

        var purge = await Store.PurgeTenantAsync("acme", new AuditEntry { At = Now, Actor = "operator", Action = TenantPurge.Action, Outcome = "success" }, Ct);

        Assert.NotNull(purge);
        Assert.Null(await Manifests.FindReplayBundleAsync("job_a", Ct));
        Assert.NotNull(await Manifests.FindReplayBundleAsync("job_o", Ct));
        Assert.NotNull(await Manifests.FindManifestAsync(other, "job_o", Ct));
    }
}
