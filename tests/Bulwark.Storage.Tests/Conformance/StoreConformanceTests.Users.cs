using Bulwark.Core.Identity;

namespace Bulwark.Storage.Tests.Conformance;

// AUTH-6: users provisioned on first sight of a JWT subject, scoped to their tenant (TEN-1).
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task EnsureUser_creates_the_user_when_the_subject_is_unknown()
    {
        var scope = await NewTenantAsync("acme");

        var created = await Store.EnsureUserAsync(scope, new UserRecord(scope.TenantId, "alice", "alice@example.test", ["writer"], Now, Now), Ct);

        Assert.True(created);
        var user = await Store.FindUserAsync(scope, "alice", Ct);
        Assert.NotNull(user);
        Assert.Equal(scope.TenantId, user.TenantId);
        Assert.Equal("alice@example.test", user.Email);
        Assert.Equal(["writer"], user.Roles);
        Assert.Equal(Now, user.FirstSeen);
        Assert.Equal(Now, user.LastSeen);
    }

    [Fact]
    public async Task EnsureUser_returns_false_and_touches_last_seen_when_the_subject_is_known()
    {
        var scope = await NewTenantAsync("acme");
        var first = Now;
        Assert.True(await Store.EnsureUserAsync(scope, new UserRecord(scope.TenantId, "alice", null, ["reader"], first, first), Ct));
        Clock.Advance(TimeSpan.FromMinutes(5));

        var created = await Store.EnsureUserAsync(scope, new UserRecord(scope.TenantId, "alice", "a@example.test", ["reader", "writer"], Now, Now), Ct);

        Assert.False(created);
        var user = await Store.FindUserAsync(scope, "alice", Ct);
        Assert.Equal(first, user!.FirstSeen);
        Assert.Equal(Now, user.LastSeen);
        Assert.Equal(["reader", "writer"], user.Roles);
        Assert.Equal("a@example.test", user.Email);
    }

    [Fact]
    public async Task FindUser_sees_only_the_callers_tenant_when_subjects_collide()
    {
        var acme = await NewTenantAsync("acme");
        var globex = await NewTenantAsync("globex");
        // The record names acme, but the scope is globex: the scope wins (TEN-1).
        Assert.True(await Store.EnsureUserAsync(globex, new UserRecord(acme.TenantId, "bob", null, [], Now, Now), Ct));

        Assert.Null(await Store.FindUserAsync(acme, "bob", Ct));
        Assert.Equal(globex.TenantId, (await Store.FindUserAsync(globex, "bob", Ct))!.TenantId);
        Assert.True(await Store.EnsureUserAsync(acme, new UserRecord(acme.TenantId, "bob", null, [], Now, Now), Ct));
    }
}
