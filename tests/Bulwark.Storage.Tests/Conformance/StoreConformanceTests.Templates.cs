using Bulwark.Core.Templates;

namespace Bulwark.Storage.Tests.Conformance;

// Templates (JOB-1): versions per (owner, key); a tenant's own template shadows a global one.
// Retiring (DELETE /v1/templates/{key}) marks the tenant's own live versions of a key retired:
// they are neither found for new work nor listed; found by id (running jobs, replays) they stay.
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task PutTemplate_counts_versions_from_one_per_owner_and_key()
    {
        var acme = await NewTenantAsync("acme");

        var global1 = await PutTemplateAsync(null, "ops.scan");
        var global2 = await PutTemplateAsync(null, "ops.scan");
        var own1 = await PutTemplateAsync(acme.TenantId, "ops.scan");
        var otherKey1 = await PutTemplateAsync(null, "ops.apply");

        Assert.Equal((1, 2, 1, 1), (global1.Version, global2.Version, own1.Version, otherKey1.Version));
        Assert.Null(global1.TenantId);
        Assert.Equal(acme.TenantId, own1.TenantId);
        Assert.StartsWith("tpl_", global1.Id, StringComparison.Ordinal);
        Assert.Equal(4, new[] { global1.Id, global2.Id, own1.Id, otherKey1.Id }.Distinct().Count());
    }

    [Fact]
    public async Task FindTemplate_returns_stored_definition_of_newest_version()
    {
        var acme = await NewTenantAsync("acme");
        await PutTemplateAsync(null, "ops.scan");
        var definition = Definition("ops.scan") with
        {
            Command = ["/usr/bin/scan", "--fast"],
            RequiredScope = "ops:read",
            Limits = new ResourceLimits { MemoryMb = 128, TimeoutSeconds = 5 },
        };
        await Store.PutTemplateAsync(null, definition, Now, Ct);

        var found = await Store.FindTemplateAsync(acme, "ops.scan", Ct);

        Assert.NotNull(found);
        Assert.Equal(2, found.Version);
        Assert.Equal("ops.scan", found.Key);
        Assert.Equal(TemplateKind.Script, found.Definition.Kind);
        Assert.Equal(["/usr/bin/scan", "--fast"], found.Definition.Command);
        Assert.Equal("ops:read", found.Definition.RequiredScope);
        Assert.Equal(128, found.Definition.Limits.MemoryMb);
        Assert.Equal(Now, found.CreatedAt);
    }

    [Fact]
    public async Task FindTemplate_prefers_tenant_own_template_over_global_one()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        await PutTemplateAsync(null, "ops.scan");
        await PutTemplateAsync(null, "ops.scan");
        var own = await PutTemplateAsync(acme.TenantId, "ops.scan");

        Assert.Equal(own.Id, (await Store.FindTemplateAsync(acme, "ops.scan", Ct))?.Id);
        // The other tenant has no template of its own: it sees the newest global one.
        var seenByOther = await Store.FindTemplateAsync(other, "ops.scan", Ct);
        Assert.Null(seenByOther?.TenantId);
        Assert.Equal(2, seenByOther?.Version);
    }

    [Fact]
    public async Task FindTemplate_returns_null_when_only_another_tenant_has_the_key()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        await PutTemplateAsync(other.TenantId, "private.job");

        // TEN-1: another tenant's template is invisible.
        Assert.Null(await Store.FindTemplateAsync(acme, "private.job", Ct));
        Assert.NotNull(await Store.FindTemplateAsync(other, "private.job", Ct));
    }

    [Fact]
    public async Task ListTemplates_shows_newest_visible_version_per_key_with_own_shadowing_global()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        await PutTemplateAsync(null, "a.global");
        var newestGlobal = await PutTemplateAsync(null, "a.global");
        await PutTemplateAsync(null, "b.shadowed");
        var own = await PutTemplateAsync(acme.TenantId, "b.shadowed");
        var ownOnly = await PutTemplateAsync(acme.TenantId, "c.own");
        await PutTemplateAsync(other.TenantId, "d.other");

        var listed = await Store.ListTemplatesAsync(acme, Ct);

        // The order of the list is not part of the contract.
        Assert.Equal(
            new[] { newestGlobal.Id, own.Id, ownOnly.Id }.Order(StringComparer.Ordinal),
            listed.Select(t => t.Id).Order(StringComparer.Ordinal));
        var third = await NewTenantAsync("third");
        Assert.Equal(
            ["a.global", "b.shadowed"],
            (await Store.ListTemplatesAsync(third, Ct)).Select(t => t.Key).Order(StringComparer.Ordinal));
    }

    [Fact] // JOB-1: every version of the key goes; a later put is live again with the next version
    public async Task RetireTemplate_hides_every_version_and_a_later_put_makes_the_key_live_again()
    {
        var acme = await NewTenantAsync("acme");
        await PutTemplateAsync(acme.TenantId, "ops.scan");
        await PutTemplateAsync(acme.TenantId, "ops.scan");
        var kept = await PutTemplateAsync(acme.TenantId, "ops.keep");

        Assert.True(await Store.RetireTemplateAsync(acme, "ops.scan", Now, Ct));

        Assert.Null(await Store.FindTemplateAsync(acme, "ops.scan", Ct));
        Assert.Equal([kept.Id], (await Store.ListTemplatesAsync(acme, Ct)).Select(t => t.Id));
        // Nothing left to retire.
        Assert.False(await Store.RetireTemplateAsync(acme, "ops.scan", Now, Ct));
        Assert.False(await Store.RetireTemplateAsync(acme, "ops.never", Now, Ct));

        var again = await PutTemplateAsync(acme.TenantId, "ops.scan");
        Assert.Equal(3, again.Version);
        Assert.Equal(again.Id, (await Store.FindTemplateAsync(acme, "ops.scan", Ct))?.Id);
        Assert.Equal(
            new[] { again.Id, kept.Id }.Order(StringComparer.Ordinal),
            (await Store.ListTemplatesAsync(acme, Ct)).Select(t => t.Id).Order(StringComparer.Ordinal));
        Assert.True(await Store.RetireTemplateAsync(acme, "ops.scan", Now, Ct));
        Assert.Null(await Store.FindTemplateAsync(acme, "ops.scan", Ct));
    }

    [Fact] // TEN-1: only the scope's own rows; a global template and another tenant's are untouched
    public async Task RetireTemplate_touches_only_the_tenants_own_rows()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        var global = await PutTemplateAsync(null, "ops.global");
        var shadowedGlobal = await PutTemplateAsync(null, "ops.scan");
        await PutTemplateAsync(acme.TenantId, "ops.scan");
        var theirs = await PutTemplateAsync(other.TenantId, "ops.scan");
        var theirsOnly = await PutTemplateAsync(other.TenantId, "ops.private");

        Assert.False(await Store.RetireTemplateAsync(acme, "ops.global", Now, Ct));
        Assert.False(await Store.RetireTemplateAsync(acme, "ops.private", Now, Ct));
        Assert.True(await Store.RetireTemplateAsync(acme, "ops.scan", Now, Ct));

        Assert.Equal(global.Id, (await Store.FindTemplateAsync(acme, "ops.global", Ct))?.Id);
        Assert.Equal(theirs.Id, (await Store.FindTemplateAsync(other, "ops.scan", Ct))?.Id);
        Assert.Equal(theirsOnly.Id, (await Store.FindTemplateAsync(other, "ops.private", Ct))?.Id);
        // The retired own template no longer shadows the global one of the same key: it is as if
        // the tenant had never had its own.
        Assert.Equal(shadowedGlobal.Id, (await Store.FindTemplateAsync(acme, "ops.scan", Ct))?.Id);
        Assert.Equal(
            new[] { global.Id, shadowedGlobal.Id }.Order(StringComparer.Ordinal),
            (await Store.ListTemplatesAsync(acme, Ct)).Select(t => t.Id).Order(StringComparer.Ordinal));
        Assert.Equal(3, (await Store.ListTemplatesAsync(other, Ct)).Count);
    }

    [Fact] // JOB-1: a job queued before the retire is still claimed with its version, found by id
    public async Task RetireTemplate_leaves_queued_jobs_and_lookups_by_id_working()
    {
        var (acme, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(acme, template);

        Assert.True(await Store.RetireTemplateAsync(acme, template.Key, Now, Ct));

        var claimed = await ClaimOneAsync();
        Assert.Equal(job.Id, claimed.Job.Id);
        Assert.Equal((template.Id, template.Version), (claimed.Template.Id, claimed.Template.Version));
        Assert.Equal(template.Id, (await ((Bulwark.Core.Manifests.IManifestStore)Store).FindTemplateVersionAsync(acme, template.Id, Ct))?.Id);
    }
}
