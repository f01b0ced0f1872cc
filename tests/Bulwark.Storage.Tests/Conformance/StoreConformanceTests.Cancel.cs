using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Tests.Conformance;

// Cancellation of waiting and running jobs (JOB-2, JOB-4).
public abstract partial class StoreConformanceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RequestCancel_cancels_waiting_job_at_once(bool scheduled)
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template, delay: scheduled ? TimeSpan.FromHours(1) : null);
        Clock.Advance(TimeSpan.FromSeconds(2));

        var result = await Store.RequestCancelAsync(scope, job.Id, Now, Ct);

        Assert.NotNull(result);
        Assert.False(result.WasRunning);
        Assert.Equal(JobState.Cancelled, result.Job.State);
        Assert.Equal(Now, result.Job.FinishedAt);
        Assert.Equal(result.Job, await GetAsync(scope, job.Id));
        Assert.Empty(await Store.ClaimAsync("w1", 5, LeaseTime, Now.AddHours(2), Ct));
    }

    [Fact]
    public async Task RequestCancel_cancels_retrying_job_at_once()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        await Store.CompleteAsync(
            claimed.Lease, new Completion { NextState = JobState.Retrying, RetryAt = Now.AddMinutes(1) }, Now, Ct);

        var result = await Store.RequestCancelAsync(scope, job.Id, Now, Ct);

        Assert.Equal(JobState.Cancelled, result?.Job.State);
        Assert.Empty(await Store.ClaimAsync("w1", 5, LeaseTime, Now.AddHours(1), Ct));
    }

    [Fact]
    public async Task RequestCancel_flags_running_job_and_leaves_its_state_to_the_worker()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();

        var result = await Store.RequestCancelAsync(scope, job.Id, Now, Ct);

        Assert.NotNull(result);
        Assert.True(result.WasRunning);
        Assert.Equal(JobState.Running, result.Job.State);
        Assert.True(result.Job.CancelRequested);
        Assert.Null(result.Job.FinishedAt);
        await Store.CompleteAsync(claimed.Lease, new Completion { NextState = JobState.Cancelled }, Now, Ct);
        Assert.Equal(JobState.Cancelled, (await RequireJobAsync(scope, job.Id)).State);
    }

    [Fact]
    public async Task RequestCancel_throws_illegal_transition_and_leaves_finished_job_unchanged()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        await Store.CompleteAsync(claimed.Lease, Succeeded(), Now, Ct);
        var finished = await RequireJobAsync(scope, job.Id);
        Clock.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<IllegalTransitionException>(() => Store.RequestCancelAsync(scope, job.Id, Now, Ct));

        Assert.Equal(finished, await GetAsync(scope, job.Id));
    }

    [Fact]
    public async Task RequestCancel_returns_null_when_job_does_not_exist()
    {
        var (scope, _) = await TenantWithTemplateAsync();

        Assert.Null(await Store.RequestCancelAsync(scope, "job_00000000000000000000000000000000", Now, Ct));
        Assert.Empty((await Store.ListJobsAsync(scope, new JobQuery(), Ct)).Jobs);
    }
}
