using Bulwark.Core.Errors;
using Bulwark.Core.Fences;
using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Tests.Conformance;

// Named locks and write fences (AUTHZ-6, seed 003): per tenant, owned by a job, taken under its
// lease, and a fencing number that grows at every change of hands so a superseded holder's
// fenced write is refused with nothing written.
public abstract partial class StoreConformanceTests
{
    private static readonly TimeSpan LockTime = TimeSpan.FromSeconds(10);

    private async Task<(Lease A, Lease B)> TwoRunningJobsAsync(string tenant = "acme")
    {
        var (scope, template) = await TenantWithTemplateAsync(tenant);
        await EnqueueAsync(scope, template);
        await EnqueueAsync(scope, template);
        var claimed = await Store.ClaimAsync("w1", 2, LeaseTime, Now, Ct);
        return (claimed[0].Lease, claimed[1].Lease);
    }

    [Fact] // AUTHZ-6
    public async Task Lock_is_taken_with_fence_one_and_refused_to_another_job_while_it_is_live()
    {
        var (a, b) = await TwoRunningJobsAsync();

        var grant = await Store.AcquireLockAsync(a, "deploy", LockTime, Now, Ct);
        Clock.Advance(TimeSpan.FromSeconds(9));
        var refused = await Assert.ThrowsAsync<ConflictException>(() => Store.AcquireLockAsync(b, "deploy", LockTime, Now, Ct));

        Assert.Equal(new LockGrant("deploy", 1, Now - TimeSpan.FromSeconds(9) + LockTime), grant);
        Assert.Equal("lock_held", refused.Code);
    }

    [Fact] // AUTHZ-6: renewing is not a change of hands
    public async Task Lock_renewed_by_its_holder_keeps_its_fence_and_moves_its_expiry()
    {
        var (a, _) = await TwoRunningJobsAsync();
        await Store.AcquireLockAsync(a, "deploy", LockTime, Now, Ct);
        Clock.Advance(TimeSpan.FromSeconds(5));

        var renewed = await Store.AcquireLockAsync(a, "deploy", LockTime, Now, Ct);

        Assert.Equal((1L, Now + LockTime), (renewed.Fence, renewed.ExpiresAt));
    }

    [Fact] // AUTHZ-6, seed 003: the heart of fencing
    public async Task Takeover_after_expiry_increments_the_fence_and_the_stale_holders_fenced_write_writes_nothing()
    {
        var (a, b) = await TwoRunningJobsAsync();
        var first = await Store.AcquireLockAsync(a, "deploy", LockTime, Now, Ct);
        var aFence = new WriteFence("deploy", first.Fence);
        await Store.PutFencedVariableAsync(a, aFence, "step", "1", Now, Ct);

        Clock.Advance(LockTime + TimeSpan.FromSeconds(1)); // A stalls past its lock; its lease is still fine
        var second = await Store.AcquireLockAsync(b, "deploy", LockTime, Now, Ct);
        var stale = await Assert.ThrowsAsync<ConflictException>(() => Store.PutFencedVariableAsync(a, aFence, "step", "2", Now, Ct));
        var staleNew = await Assert.ThrowsAsync<ConflictException>(() => Store.PutFencedVariableAsync(a, aFence, "fresh", "2", Now, Ct));
        await Store.PutFencedVariableAsync(b, new WriteFence("deploy", second.Fence), "step", "\"b\"", Now, Ct);

        Assert.Equal(2, second.Fence);
        Assert.Equal(("fence_stale", "fence_stale"), (stale.Code, staleNew.Code));
        Assert.Equal("1", await Store.GetVariableAsync(a, "step", Now, Ct));
        Assert.Null(await Store.GetVariableAsync(a, "fresh", Now, Ct));
        Assert.Equal("\"b\"", await Store.GetVariableAsync(b, "step", Now, Ct));
    }

    [Fact] // AUTHZ-6: the fence never goes back, not even through a release
    public async Task Released_lock_taken_again_gets_a_higher_fence_and_only_its_owner_may_release_it()
    {
        var (a, b) = await TwoRunningJobsAsync();
        var first = await Store.AcquireLockAsync(a, "deploy", LockTime, Now, Ct);

        Assert.False(await Store.ReleaseLockAsync(b, "deploy", Now, Ct));
        Assert.False(await Store.ReleaseLockAsync(b, "never-taken", Now, Ct));
        Assert.True(await Store.ReleaseLockAsync(a, "deploy", Now, Ct));
        var released = await Assert.ThrowsAsync<ConflictException>(() =>
            Store.PutFencedVariableAsync(a, new WriteFence("deploy", first.Fence), "step", "1", Now, Ct));
        var again = await Store.AcquireLockAsync(b, "deploy", LockTime, Now, Ct);
        var back = await Store.AcquireLockAsync(a, "other", LockTime, Now, Ct);

        Assert.Equal("fence_not_held", released.Code);
        Assert.Equal(2, again.Fence);
        Assert.Equal(1, back.Fence);
    }

    [Fact] // AUTHZ-6: a fence is a claim the store checks, not a number a job may make up
    public async Task Fenced_write_is_refused_when_the_fence_is_not_this_jobs_or_names_no_lock()
    {
        var (a, b) = await TwoRunningJobsAsync();
        var held = await Store.AcquireLockAsync(b, "deploy", LockTime, Now, Ct);

        var borrowed = await Assert.ThrowsAsync<ConflictException>(() =>
            Store.PutFencedVariableAsync(a, new WriteFence("deploy", held.Fence), "step", "1", Now, Ct));
        var ahead = await Assert.ThrowsAsync<ConflictException>(() =>
            Store.PutFencedVariableAsync(b, new WriteFence("deploy", held.Fence + 1), "step", "1", Now, Ct));
        var unknown = await Assert.ThrowsAsync<ConflictException>(() =>
            Store.PutFencedVariableAsync(a, new WriteFence("nothing", 1), "step", "1", Now, Ct));

        Assert.All(new[] { borrowed, ahead, unknown }, e => Assert.Equal("fence_not_held", e.Code));
        Assert.Null(await Store.GetVariableAsync(a, "step", Now, Ct));
        Assert.Null(await Store.GetVariableAsync(b, "step", Now, Ct));
    }

    [Fact] // AUTHZ-6, TEN-1: a lock name of tenant A is unrelated to tenant B's
    public async Task Locks_of_one_tenant_leave_another_tenants_lock_of_the_same_name_alone()
    {
        var (a, _) = await TwoRunningJobsAsync("acme");
        var (other, _) = await TwoRunningJobsAsync("globex");
        var mine = await Store.AcquireLockAsync(a, "deploy", LockTime, Now, Ct);

        var theirs = await Store.AcquireLockAsync(other, "deploy", LockTime, Now, Ct);
        Assert.False(await Store.ReleaseLockAsync(other, "never", Now, Ct));
        var crossed = await Assert.ThrowsAsync<ConflictException>(() =>
            Store.PutFencedVariableAsync(other, new WriteFence("deploy", 2), "step", "1", Now, Ct));
        await Store.PutFencedVariableAsync(a, new WriteFence("deploy", mine.Fence), "step", "1", Now, Ct);

        Assert.Equal((1L, 1L), (mine.Fence, theirs.Fence));
        Assert.Equal("fence_not_held", crossed.Code);
    }

    [Fact] // AUTHZ-5, JOB-3: locks are taken under the lease like every runtime write
    public async Task Lock_calls_throw_lease_lost_and_write_nothing_when_the_lease_is_stale()
    {
        var (a, b) = await TwoRunningJobsAsync();
        var stale = a with { Token = b.Token };

        var take = await Assert.ThrowsAsync<ConflictException>(() => Store.AcquireLockAsync(stale, "deploy", LockTime, Now, Ct));
        var release = await Assert.ThrowsAsync<ConflictException>(() => Store.ReleaseLockAsync(stale, "deploy", Now, Ct));
        var write = await Assert.ThrowsAsync<ConflictException>(() =>
            Store.PutFencedVariableAsync(stale, new WriteFence("deploy", 1), "step", "1", Now, Ct));
        var free = await Store.AcquireLockAsync(b, "deploy", LockTime, Now, Ct);

        Assert.All(new[] { take, release, write }, e => Assert.Equal("lease_lost", e.Code));
        Assert.Equal(1, free.Fence);
    }
}
