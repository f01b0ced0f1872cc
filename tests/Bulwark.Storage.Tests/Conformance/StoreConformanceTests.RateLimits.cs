using Bulwark.Core.RateLimits;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Tests.Conformance;

// NET-3: the store's rate windows. Counts are per (tenant, subject, bucket), exact per fixed window
// across every store instance on the database, and only admitted requests are counted.
public abstract partial class StoreConformanceTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact] // NET-3
    public async Task Take_admits_up_to_the_limit_then_refuses_without_counting_the_refusal()
    {
        var acme = await NewTenantAsync("acme");
        MoveToWindowStart();

        var answers = new List<RateWindowState>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await TakeAsync(acme, "key:k1", "jobs", 3));
        }

        Assert.Equal([true, true, true, false, false], answers.Select(a => a.Admitted));
        Assert.Equal([1L, 2, 3, 3, 3], answers.Select(a => a.Current));
        Assert.All(answers, a => Assert.Equal(0, a.Previous));
    }

    [Fact] // NET-3: the identity is (tenant, subject); buckets are separate budgets
    public async Task Take_counts_each_tenant_subject_and_bucket_on_its_own()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        MoveToWindowStart();
        for (var i = 0; i < 2; i++)
        {
            Assert.True((await TakeAsync(acme, "key:k1", "jobs", 2)).Admitted);
        }

        Assert.False((await TakeAsync(acme, "key:k1", "jobs", 2)).Admitted);

        Assert.Equal(1, (await TakeAsync(acme, "key:k2", "jobs", 2)).Current);
        Assert.Equal(1, (await TakeAsync(acme, "key:k1", "heavy", 2)).Current);
        // Another tenant with the very same subject text is another identity.
        Assert.Equal(1, (await TakeAsync(other, "key:k1", "jobs", 2)).Current);
    }

    [Fact] // NET-3: the sliding estimate weighs the previous window by how much of it is still inside
    public async Task Take_weighs_the_previous_window_and_forgets_it_a_window_later()
    {
        var acme = await NewTenantAsync("acme");
        MoveToWindowStart();
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await TakeAsync(acme, "key:k1", "jobs", 4)).Admitted);
        }

        // Half-way into the next window: 4 × ½ = 2 of the previous window still count.
        Clock.Advance(Minute + (Minute / 2));
        var halfway = new[]
        {
            await TakeAsync(acme, "key:k1", "jobs", 4),
            await TakeAsync(acme, "key:k1", "jobs", 4),
            await TakeAsync(acme, "key:k1", "jobs", 4),
        };
        Assert.Equal([true, true, false], halfway.Select(a => a.Admitted));
        Assert.Equal((2L, 4L), (halfway[^1].Current, halfway[^1].Previous));

        // Two windows on, nothing of the old windows is left.
        Clock.Advance(Minute * 2);
        var later = await TakeAsync(acme, "key:k1", "jobs", 4);
        Assert.Equal(new RateWindowState(true, 1, 0), later);
    }

    [Fact] // NET-3: limits hold across nodes: two store instances on one database share the count
    public async Task Take_from_two_store_instances_shares_one_count_even_when_they_race()
    {
        var acme = await NewTenantAsync("acme");
        var second = (IRateLimitStore)await OpenAnotherAsync();
        MoveToWindowStart();

        var takes = Enumerable.Range(0, 24).Select(i =>
        {
            var store = i % 2 == 0 ? (IRateLimitStore)Store : second;
            return Task.Run(() => store.TakeAsync(acme, new RateWindowTake("key:k1", "jobs", Now, Minute, 10), Ct));
        });
        var answers = await Task.WhenAll(takes);

        Assert.Equal(10, answers.Count(a => a.Admitted));
        Assert.Equal(10, (await TakeAsync(acme, "key:k1", "jobs", 10)).Current);
    }

    [Fact] // NET-3: a node whose clock is behind never moves a window back or resets it
    public async Task Take_with_a_clock_behind_the_stored_window_counts_in_the_newer_window()
    {
        var acme = await NewTenantAsync("acme");
        MoveToWindowStart();
        Clock.Advance(Minute);
        Assert.True((await TakeAsync(acme, "key:k1", "jobs", 2)).Admitted);
        Assert.True((await TakeAsync(acme, "key:k1", "jobs", 2)).Admitted);

        var behind = await ((IRateLimitStore)Store).TakeAsync(
            acme, new RateWindowTake("key:k1", "jobs", Now - TimeSpan.FromSeconds(1), Minute, 2), Ct);

        Assert.Equal(new RateWindowState(false, 2, 0), behind);
    }

    [Fact] // TEN-4: a purge leaves no rate window of the tenant
    public async Task Purge_removes_the_tenants_rate_windows_and_keeps_the_others()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        await TakeAsync(acme, "key:k1", "jobs", 5);
        await TakeAsync(other, "key:k1", "jobs", 5);

        await Store.PurgeTenantAsync("acme", PurgeRecord(), Ct);

        Assert.DoesNotContain(await CellsHoldingAsync(acme.TenantId), cell => cell.StartsWith("rate_windows.", StringComparison.Ordinal));
        Assert.Contains("rate_windows.tenant_id", await CellsHoldingAsync(other.TenantId));
    }

    private Task<RateWindowState> TakeAsync(TenantScope tenant, string subject, string bucket, int limit) =>
        ((IRateLimitStore)Store).TakeAsync(tenant, new RateWindowTake(subject, bucket, Now, Minute, limit), Ct);

    /// <summary>Puts the clock on the first millisecond of a minute, so a test's takes share one fixed window.</summary>
    private void MoveToWindowStart()
    {
        var ms = Now.ToUnixTimeMilliseconds();
        var width = (long)Minute.TotalMilliseconds;
        Clock.Advance(TimeSpan.FromMilliseconds(RateWindows.WindowStart(ms, width) + width - ms));
    }
}
