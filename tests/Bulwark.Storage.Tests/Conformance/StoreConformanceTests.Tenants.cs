using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Tests.Conformance;

// Store lifecycle, tenants, bootstrap (OPS-1) and API keys (AUTH-2).
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Migrate_keeps_data_when_run_again()
    {
        var scope = await NewTenantAsync("acme");

        await Store.MigrateAsync(Ct);
        await Store.MigrateAsync(Ct);

        Assert.True(await Store.PingAsync(Ct));
        Assert.Equal("acme", (await Store.FindTenantByIdAsync(scope.TenantId, Ct))?.Name);
    }

    [Fact]
    public async Task TryBootstrap_creates_tenant_and_key_when_store_is_empty()
    {
        var tenant = new Tenant(NewId("ten_"), "admin", Now);
        var key = NewKey(tenant.Id, Now, "*");

        Assert.True(await Store.TryBootstrapAsync(tenant, key, Ct));

        Assert.Equal(tenant, await Store.FindTenantByNameAsync("admin", Ct));
        var stored = await Store.FindApiKeyAsync(key.Id, Ct);
        Assert.NotNull(stored);
        Assert.Equal(key.SecretHash, stored.SecretHash);
        Assert.Equal(["*"], stored.Scopes);
    }

    [Fact]
    public async Task TryBootstrap_writes_nothing_when_a_tenant_exists()
    {
        var first = new Tenant(NewId("ten_"), "admin", Now);
        Assert.True(await Store.TryBootstrapAsync(first, NewKey(first.Id, Now, "*"), Ct));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = new Tenant(NewId("ten_"), "admin2", Now);
        var secondKey = NewKey(second.Id, Now, "*");

        // OPS-1: the first admin key is printed once, ever.
        Assert.False(await Store.TryBootstrapAsync(second, secondKey, Ct));

        Assert.Null(await Store.FindTenantByIdAsync(second.Id, Ct));
        Assert.Null(await Store.FindApiKeyAsync(secondKey.Id, Ct));
        Assert.Single(await Store.ListTenantsAsync(Ct));
    }

    [Fact]
    public async Task CreateTenant_throws_conflict_when_name_is_taken()
    {
        await NewTenantAsync("acme");
        var duplicate = new Tenant(NewId("ten_"), "acme", Now);

        var error = await Assert.ThrowsAnyAsync<ConflictException>(() => Store.CreateTenantAsync(duplicate, Ct));

        Assert.Contains("acme", error.Message, StringComparison.Ordinal);
        Assert.Null(await Store.FindTenantByIdAsync(duplicate.Id, Ct));
        Assert.Single(await Store.ListTenantsAsync(Ct));
    }

    [Fact]
    public async Task Tenants_are_found_by_name_and_id_and_listed_by_name()
    {
        var zeta = await NewTenantAsync("zeta");
        var alpha = await NewTenantAsync("alpha");

        Assert.Equal(zeta.TenantId, (await Store.FindTenantByNameAsync("zeta", Ct))?.Id);
        Assert.Equal("alpha", (await Store.FindTenantByIdAsync(alpha.TenantId, Ct))?.Name);
        Assert.Null(await Store.FindTenantByNameAsync("nobody", Ct));
        Assert.Equal(["alpha", "zeta"], (await Store.ListTenantsAsync(Ct)).Select(t => t.Name));
    }

    [Fact]
    public async Task ApiKey_is_found_by_id_and_listed_only_in_its_tenant()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        var key = NewKey(acme.TenantId, Now, "jobs:read", "jobs:write") with { ExpiresAt = Now.AddDays(30) };
        var otherKey = NewKey(other.TenantId, Now, "jobs:read");
        await Store.CreateApiKeyAsync(key, Ct);
        await Store.CreateApiKeyAsync(otherKey, Ct);

        var found = await Store.FindApiKeyAsync(key.Id, Ct);

        Assert.NotNull(found);
        Assert.Equal(acme.TenantId, found.TenantId);
        Assert.Equal(key.Name, found.Name);
        Assert.Equal(["jobs:read", "jobs:write"], found.Scopes);
        Assert.Equal(key.SecretHash, found.SecretHash);
        Assert.Equal(key.CreatedAt, found.CreatedAt);
        Assert.Equal(key.ExpiresAt, found.ExpiresAt);
        Assert.Null(found.RevokedAt);
        // TEN-1: listing is per tenant.
        Assert.Equal([key.Id], (await Store.ListApiKeysAsync(acme, Ct)).Select(k => k.Id));
        Assert.Equal([otherKey.Id], (await Store.ListApiKeysAsync(other, Ct)).Select(k => k.Id));
        Assert.Null(await Store.FindApiKeyAsync("key_0000000000000000", Ct));
    }

    [Fact]
    public async Task RevokeApiKey_sets_RevokedAt_once_and_returns_false_after()
    {
        var acme = await NewTenantAsync("acme");
        var key = NewKey(acme.TenantId, Now, "jobs:read");
        await Store.CreateApiKeyAsync(key, Ct);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var revokedAt = Now;

        Assert.True(await Store.RevokeApiKeyAsync(key.Id, revokedAt, Ct));
        Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(await Store.RevokeApiKeyAsync(key.Id, Now, Ct));

        var stored = await Store.FindApiKeyAsync(key.Id, Ct);
        Assert.Equal(revokedAt, stored?.RevokedAt);
        Assert.False(stored!.IsUsableAt(Now));
    }

    [Fact]
    public async Task RevokeApiKey_returns_false_when_key_does_not_exist()
    {
        Assert.False(await Store.RevokeApiKeyAsync("key_ffffffffffffffff", Now, Ct));
        Assert.Empty(await Store.ListTenantsAsync(Ct));
    }
}
