using System.Collections.Concurrent;
using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Tests.Conformance;

// Claiming (JOB-3 leases, JOB-5 priorities and delays).
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Claim_takes_batch_with_distinct_tokens_and_incremented_attempts()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await EnqueueAsync(scope, template)).Id);
        }

        var claimed = await Store.ClaimAsync("worker-a", 3, LeaseTime, Now, Ct);

        Assert.Equal(ids.Take(3), claimed.Select(c => c.Job.Id));
        Assert.Equal(3, claimed.Select(c => c.Lease.Token).Distinct().Count());
        foreach (var c in claimed)
        {
            Assert.Equal(JobState.Running, c.Job.State);
            Assert.Equal(1, c.Job.Attempts);
            Assert.Equal(1, c.Lease.Attempt);
            Assert.Equal(c.Job.Id, c.Lease.JobId);
            Assert.False(string.IsNullOrEmpty(c.Lease.Token));
            Assert.Equal(Now + LeaseTime, c.LeaseExpiresAt);
            Assert.Equal(Now, c.Job.StartedAt);
            Assert.Equal(template.Id, c.Template.Id);
            Assert.Equal(template.Version, c.Template.Version);
            Assert.Equal(JobState.Running, (await RequireJobAsync(scope, c.Job.Id)).State);
        }

        Assert.Equal(JobState.Queued, (await RequireJobAsync(scope, ids[3])).State);
    }

    [Fact]
    public async Task Claim_takes_highest_priority_first_then_oldest_run_at()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var lowOld = await EnqueueAsync(scope, template, priority: 0);
        var highNew = await EnqueueAsync(scope, template, priority: 10);
        var lowNew = await EnqueueAsync(scope, template, priority: 0);
        var highOld = await EnqueueAsync(scope, template, priority: 10, delay: TimeSpan.FromMilliseconds(-50));

        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            order.Add((await ClaimOneAsync()).Job.Id);
        }

        Assert.Equal([highOld.Id, highNew.Id, lowOld.Id, lowNew.Id], order);
    }

    [Fact]
    public async Task Claim_returns_batch_in_priority_order()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var low = await EnqueueAsync(scope, template, priority: 1);
        var high = await EnqueueAsync(scope, template, priority: 7);
        var mid = await EnqueueAsync(scope, template, priority: 4);

        var claimed = await Store.ClaimAsync("w1", 10, LeaseTime, Now, Ct);

        Assert.Equal([high.Id, mid.Id, low.Id], claimed.Select(c => c.Job.Id));
    }

    [Fact]
    public async Task Claim_skips_delayed_job_before_run_at_and_takes_it_after()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var delayed = await EnqueueAsync(scope, template, delay: TimeSpan.FromMinutes(5));

        Assert.Empty(await Store.ClaimAsync("w1", 10, LeaseTime, Now, Ct));
        Assert.Equal(delayed.RunAt, await Store.NextDueAtAsync(Ct));
        Assert.Equal(JobState.Scheduled, (await RequireJobAsync(scope, delayed.Id)).State);

        Clock.Advance(TimeSpan.FromMinutes(5));
        var claimed = await ClaimOneAsync();

        Assert.Equal(delayed.Id, claimed.Job.Id);
        Assert.Equal(JobState.Running, claimed.Job.State);
        Assert.Null(await Store.NextDueAtAsync(Ct));
    }

    [Fact]
    public async Task Claim_returns_nothing_when_queue_is_empty_or_max_is_zero()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        Assert.Empty(await Store.ClaimAsync("w1", 5, LeaseTime, Now, Ct));
        var job = await EnqueueAsync(scope, template);

        Assert.Empty(await Store.ClaimAsync("w1", 0, LeaseTime, Now, Ct));

        Assert.Equal(JobState.Queued, (await RequireJobAsync(scope, job.Id)).State);
        Assert.Equal(0, (await RequireJobAsync(scope, job.Id)).Attempts);
    }

    [Fact]
    public async Task NextDueAt_is_earliest_waiting_run_at_and_null_when_nothing_waits()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        Assert.Null(await Store.NextDueAtAsync(Ct));
        var later = await EnqueueAsync(scope, template, delay: TimeSpan.FromMinutes(30));
        var sooner = await EnqueueAsync(scope, template, delay: TimeSpan.FromMinutes(10));

        Assert.Equal(sooner.RunAt, await Store.NextDueAtAsync(Ct));

        await Store.RequestCancelAsync(scope, sooner.Id, Now, Ct);
        Assert.Equal(later.RunAt, await Store.NextDueAtAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_claims_never_take_the_same_job_twice()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 60; i++)
        {
            expected.Add((await EnqueueAsync(scope, template, priority: i % 3)).Id);
        }

        var taken = await DrainConcurrentlyAsync([Store], claimers: 12);

        // JOB-3: one job, one holder.
        Assert.Equal(expected.Count, taken.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), taken.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Claims_from_two_stores_on_the_same_database_never_overlap()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 60; i++)
        {
            expected.Add((await EnqueueAsync(scope, template)).Id);
        }

        var second = await OpenAnotherAsync();
        var taken = await DrainConcurrentlyAsync([Store, second], claimers: 6);

        // As two processes (server and CLI, or two nodes) would: still one holder per job.
        Assert.Equal(expected.Count, taken.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), taken.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Runs <paramref name="claimers"/> claim loops per store in parallel until the queue is empty
    /// and returns every claimed id, duplicates included (a duplicate is the bug we look for).
    /// </summary>
    private async Task<List<string>> DrainConcurrentlyAsync(IReadOnlyList<Core.Storage.IBulwarkStore> stores, int claimers)
    {
        var taken = new ConcurrentBag<string>();
        var now = Now;
        var loops = new List<Task>();
        foreach (var store in stores)
        {
            for (var i = 0; i < claimers; i++)
            {
                var worker = $"w{loops.Count}";
                loops.Add(Task.Run(async () =>
                {
                    while (true)
                    {
                        var batch = await store.ClaimAsync(worker, 3, LeaseTime, now, Ct);
                        if (batch.Count == 0)
                        {
                            return;
                        }

                        foreach (var claimed in batch)
                        {
                            taken.Add(claimed.Job.Id);
                        }
                    }
                }));
            }
        }

        await Task.WhenAll(loops);
        return [.. taken];
    }
}
