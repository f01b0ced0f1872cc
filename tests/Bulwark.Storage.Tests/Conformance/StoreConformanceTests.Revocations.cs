using Bulwark.Core.Identity;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Tests.Conformance;

// Revocations (AUTH-5) and tenant suspension (TEN-4).
public abstract partial class StoreConformanceTests
{
    protected Revocation NewRevocation(RevocationKind kind, string? tenantId, string value, TimeSpan? lifetime = null) => new()
    {
        Id = NewId("rev_"),
        Kind = kind,
        TenantId = tenantId,
        Value = value,
        CreatedAt = Now,
        ExpiresAt = lifetime is { } l ? Now + l : null,
        Reason = "test",
        Actor = "operator",
    };

    [Fact]
    public async Task ListRevocations_returns_every_kind_of_every_tenant_when_added_AUTH_5()
    {
        var acme = await NewTenantAsync("acme");
        var globex = await NewTenantAsync("globex");
        var added = new[]
        {
            NewRevocation(RevocationKind.Jti, acme.TenantId, "jti-1"),
            NewRevocation(RevocationKind.Jti, null, "jti-everywhere"),
            NewRevocation(RevocationKind.Subject, globex.TenantId, "alice"),
            NewRevocation(RevocationKind.Key, acme.TenantId, "key_0123456789abcdef"),
            NewRevocation(RevocationKind.Tenant, globex.TenantId, globex.TenantId),
        };
        foreach (var revocation in added)
        {
            await Store.AddRevocationAsync(revocation, Ct);
        }

        var listed = await Store.ListRevocationsAsync(Now, Ct);

        Assert.Equal(added.OrderBy(r => r.Id, StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task ListRevocations_leaves_out_expired_ones_AUTH_5()
    {
        var acme = await NewTenantAsync("acme");
        var shortLived = NewRevocation(RevocationKind.Jti, acme.TenantId, "short", TimeSpan.FromMinutes(5));
        var forGood = NewRevocation(RevocationKind.Jti, acme.TenantId, "forever");
        await Store.AddRevocationAsync(shortLived, Ct);
        await Store.AddRevocationAsync(forGood, Ct);

        Assert.Equal(2, (await Store.ListRevocationsAsync(Now, Ct)).Count);
        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal([forGood], await Store.ListRevocationsAsync(Now, Ct));
    }

    [Fact]
    public async Task Revocations_written_by_one_store_are_read_by_another_on_the_same_database_AUTH_5()
    {
        var acme = await NewTenantAsync("acme");
        var other = await OpenAnotherAsync();

        await other.AddRevocationAsync(NewRevocation(RevocationKind.Subject, acme.TenantId, "mallory"), Ct);

        var listed = Assert.Single(await Store.ListRevocationsAsync(Now, Ct));
        Assert.Equal("mallory", listed.Value);
    }

    [Fact]
    public async Task AddRevocation_refuses_a_tenantless_revocation_when_kind_is_not_jti_AUTH_5()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => Store.AddRevocationAsync(NewRevocation(RevocationKind.Subject, null, "alice"), Ct));

        Assert.Empty(await Store.ListRevocationsAsync(Now, Ct));
    }

    [Fact]
    public async Task Revocations_cannot_be_updated_even_by_a_raw_statement_AUTH_5()
    {
        var acme = await NewTenantAsync("acme");
        await Store.AddRevocationAsync(NewRevocation(RevocationKind.Jti, acme.TenantId, "jti-1"), Ct);

        await Assert.ThrowsAnyAsync<Exception>(() => ExecuteRawAsync("UPDATE revocations SET expires_at = 1"));

        Assert.Single(await Store.ListRevocationsAsync(Now, Ct));
    }

    [Fact]
    public async Task SetTenantSuspended_flips_the_flag_and_returns_false_when_tenant_is_unknown_TEN_4()
    {
        var acme = await NewTenantAsync("acme");

        Assert.True(await Store.SetTenantSuspendedAsync("acme", true, Ct));
        Assert.True((await Store.FindTenantByIdAsync(acme.TenantId, Ct))!.Suspended);
        Assert.True(await Store.SetTenantSuspendedAsync("acme", false, Ct));
        Assert.False((await Store.FindTenantByIdAsync(acme.TenantId, Ct))!.Suspended);
        Assert.False(await Store.SetTenantSuspendedAsync("nobody", true, Ct));
    }

    [Fact]
    public async Task Claim_skips_a_suspended_tenants_jobs_and_takes_them_after_resume_TEN_4()
    {
        var (acme, acmeTemplate) = await TenantWithTemplateAsync("acme");
        var (globex, globexTemplate) = await TenantWithTemplateAsync("globex");
        var paused = await EnqueueAsync(acme, acmeTemplate, priority: 10);
        var running = await EnqueueAsync(globex, globexTemplate);
        Assert.True(await Store.SetTenantSuspendedAsync("acme", true, Ct));

        var claimed = await Store.ClaimAsync("w1", 10, LeaseTime, Now, Ct);

        Assert.Equal([running.Id], claimed.Select(c => c.Job.Id));
        Assert.Equal(JobState.Queued, (await RequireJobAsync(acme, paused.Id)).State);
        // Idle workers must not be told a suspended tenant's job is due (they would spin on it).
        Assert.Null(await Store.NextDueAtAsync(Ct));

        Assert.True(await Store.SetTenantSuspendedAsync("acme", false, Ct));

        Assert.Equal(paused.Id, (await ClaimOneAsync()).Job.Id);
    }
}
