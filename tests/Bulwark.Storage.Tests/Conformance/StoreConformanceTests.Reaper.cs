using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Tests.Conformance;

// The reaper: expired leases go back to the queue, to the dead letters, or to cancelled (JOB-3, JOB-4).
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Reaper_returns_expired_job_to_retrying_due_now_when_attempts_remain()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template, maxAttempts: 2);
        await ClaimOneAsync();
        Clock.Advance(LeaseTime + TimeSpan.FromSeconds(1));

        Assert.Equal(1, await Store.ReapExpiredLeasesAsync(Now, Ct));

        var reaped = await RequireJobAsync(scope, job.Id);
        Assert.Equal(JobState.Retrying, reaped.State);
        Assert.Equal(Now, reaped.RunAt);
        Assert.Equal(("The worker's lease expired.", "lease_expired"), (reaped.Error, reaped.ErrorCode));
        Assert.Null(reaped.FinishedAt);
        var again = await ClaimOneAsync("w2");
        Assert.Equal((job.Id, 2), (again.Job.Id, again.Job.Attempts));
    }

    [Fact]
    public async Task Reaper_dead_letters_expired_job_on_its_last_attempt()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template, maxAttempts: 1);
        await ClaimOneAsync();
        Clock.Advance(LeaseTime + TimeSpan.FromSeconds(1));

        Assert.Equal(1, await Store.ReapExpiredLeasesAsync(Now, Ct));

        // JOB-4: dead-lettered with the last error kept.
        var dead = await RequireJobAsync(scope, job.Id);
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Equal("lease_expired", dead.ErrorCode);
        Assert.Equal(Now, dead.FinishedAt);
        Assert.Empty(await Store.ClaimAsync("w2", 5, LeaseTime, Now, Ct));
    }

    [Fact]
    public async Task Reaper_cancels_expired_job_whose_cancel_was_requested()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template, maxAttempts: 5);
        await ClaimOneAsync();
        await Store.RequestCancelAsync(scope, job.Id, Now, Ct);
        Clock.Advance(LeaseTime + TimeSpan.FromSeconds(1));

        Assert.Equal(1, await Store.ReapExpiredLeasesAsync(Now, Ct));

        var cancelled = await RequireJobAsync(scope, job.Id);
        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal(Now, cancelled.FinishedAt);
        Assert.Empty(await Store.ClaimAsync("w2", 5, LeaseTime, Now, Ct));
    }

    [Fact]
    public async Task Reaper_leaves_live_leases_and_waiting_jobs_alone()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var running = await EnqueueAsync(scope, template);
        await ClaimOneAsync();
        var queued = await EnqueueAsync(scope, template);
        Clock.Advance(LeaseTime - TimeSpan.FromSeconds(1));

        Assert.Equal(0, await Store.ReapExpiredLeasesAsync(Now, Ct));

        Assert.Equal(JobState.Running, (await RequireJobAsync(scope, running.Id)).State);
        Assert.Equal(JobState.Queued, (await RequireJobAsync(scope, queued.Id)).State);
    }
}
