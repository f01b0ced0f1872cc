using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Tests.Conformance;

// OPS-2: the queue-depth gauge's read, across tenants, as totals only (TEN-1).
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task QueueDepth_is_zero_in_an_empty_store() =>
        Assert.Equal(new QueueDepth(0, 0, 0, 0), await Store.QueueDepthAsync(Ct));

    [Fact]
    public async Task QueueDepth_counts_every_tenants_waiting_and_running_jobs_per_state_without_tenants()
    {
        var (acme, acmeTemplate) = await TenantWithTemplateAsync("acme");
        var (globex, globexTemplate) = await TenantWithTemplateAsync("globex");
        var first = await EnqueueAsync(acme, acmeTemplate);
        var second = await EnqueueAsync(acme, acmeTemplate);
        var third = await EnqueueAsync(globex, globexTemplate);
        await EnqueueAsync(acme, acmeTemplate, delay: TimeSpan.FromHours(1));
        await EnqueueAsync(globex, globexTemplate);
        await EnqueueAsync(globex, globexTemplate);

        var claimed = await Store.ClaimAsync("w1", 3, LeaseTime, Now, Ct);
        Assert.Equal([first.Id, second.Id, third.Id], claimed.Select(c => c.Job.Id));
        await Store.CompleteAsync(claimed[0].Lease, Succeeded(), Now, Ct);
        await Store.CompleteAsync(
            claimed[1].Lease, new Completion { NextState = JobState.Retrying, RetryAt = Now.AddMinutes(1) }, Now, Ct);

        var depth = await Store.QueueDepthAsync(Ct);

        // Queued: globex's two; scheduled: acme's delayed one; retrying: acme's second; running:
        // globex's first. The succeeded job is not counted.
        Assert.Equal(new QueueDepth(Queued: 2, Scheduled: 1, Retrying: 1, Running: 1), depth);
        Assert.DoesNotContain(acme.TenantId, depth.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(globex.TenantId, depth.ToString(), StringComparison.Ordinal);
    }
}
