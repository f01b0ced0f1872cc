using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Tests.Conformance;

// Heartbeats and completions under the fence (JOB-3), retries (JOB-4) and logs (JOB-6).
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Heartbeat_extends_lease_so_reaper_leaves_job_running()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        Clock.Advance(TimeSpan.FromSeconds(20));

        Assert.False(await Store.HeartbeatAsync(claimed.Lease, LeaseTime, Now, Ct));
        Clock.Advance(TimeSpan.FromSeconds(20));

        // 40 s after the claim: past the first lease, within the extended one.
        Assert.Equal(0, await Store.ReapExpiredLeasesAsync(Now, Ct));
        Assert.Equal(JobState.Running, (await RequireJobAsync(scope, job.Id)).State);
        await Store.CompleteAsync(claimed.Lease, Succeeded(), Now, Ct);
        Assert.Equal(JobState.Succeeded, (await RequireJobAsync(scope, job.Id)).State);
    }

    [Fact]
    public async Task Heartbeat_reports_cancel_requested_when_tenant_cancelled_running_job()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();

        await Store.RequestCancelAsync(scope, job.Id, Now, Ct);

        Assert.True(await Store.HeartbeatAsync(claimed.Lease, LeaseTime, Now, Ct));
    }

    public static TheoryData<string> StaleLeases => ["token", "attempt", "job"];

    [Theory]
    [MemberData(nameof(StaleLeases))]
    public async Task Heartbeat_throws_lease_lost_when_fence_does_not_match(string wrongPart)
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        await EnqueueAsync(scope, template);
        var claimed = await Store.ClaimAsync("w1", 2, LeaseTime, Now, Ct);
        var lease = Tamper(claimed[0].Lease, wrongPart, claimed[1].Lease);
        Clock.Advance(TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAnyAsync<ConflictException>(() => Store.HeartbeatAsync(lease, LeaseTime, Now, Ct));

        Assert.Equal("lease_lost", error.Code);
        // Nothing was extended: the original lease still expires 30 s after the claim.
        Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(2, await Store.ReapExpiredLeasesAsync(Now, Ct));
        Assert.Equal(JobState.Retrying, (await RequireJobAsync(scope, job.Id)).State);
    }

    [Fact]
    public async Task Heartbeat_throws_lease_lost_when_lease_already_expired()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        Clock.Advance(LeaseTime + TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAnyAsync<ConflictException>(
            () => Store.HeartbeatAsync(claimed.Lease, LeaseTime, Now, Ct));

        Assert.Equal("lease_lost", error.Code);
        Assert.Equal(1, await Store.ReapExpiredLeasesAsync(Now, Ct));
        Assert.Equal(JobState.Retrying, (await RequireJobAsync(scope, job.Id)).State);
    }

    [Fact]
    public async Task Complete_succeeds_and_stores_result_logs_and_finish_time()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        Clock.Advance(TimeSpan.FromSeconds(3));

        await Store.CompleteAsync(claimed.Lease, Succeeded("hello\n", "warn\n"), Now, Ct);

        var done = await RequireJobAsync(scope, job.Id);
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("""{"ok":true}""", done.ResultJson);
        Assert.Equal(Now, done.FinishedAt);
        Assert.Equal(Now.AddSeconds(-3), done.StartedAt);
        Assert.Equal(1, done.Attempts);
        var logs = await Store.GetLogsAsync(scope, job.Id, Ct);
        Assert.Equal(
            [new JobLogEntry(1, "stdout", "hello\n", Now), new JobLogEntry(1, "stderr", "warn\n", Now)],
            logs!);
        // The lease is gone with the attempt.
        await Assert.ThrowsAnyAsync<ConflictException>(() => Store.HeartbeatAsync(claimed.Lease, LeaseTime, Now, Ct));
    }

    [Theory]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Dead)]
    [InlineData(JobState.Cancelled)]
    public async Task Complete_keeps_error_and_finish_time_when_attempt_ends_the_job(JobState end)
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();

        await Store.CompleteAsync(
            claimed.Lease,
            new Completion { NextState = end, Error = "exit status 2", ErrorCode = "exit_code", ExitCode = 2 },
            Now,
            Ct);

        var done = await RequireJobAsync(scope, job.Id);
        Assert.Equal(end, done.State);
        Assert.Equal(("exit status 2", "exit_code"), (done.Error, done.ErrorCode));
        Assert.Equal(Now, done.FinishedAt);
        Assert.Empty(await Store.ClaimAsync("w2", 5, LeaseTime, Now.AddHours(1), Ct));
    }

    [Theory]
    [MemberData(nameof(StaleLeases))]
    public async Task Complete_throws_lease_lost_and_writes_nothing_when_fence_does_not_match(string wrongPart)
    {
        var (scope, template) = await TenantWithTemplateAsync();
        await EnqueueAsync(scope, template);
        await EnqueueAsync(scope, template);
        var claimed = await Store.ClaimAsync("w1", 2, LeaseTime, Now, Ct);
        var lease = Tamper(claimed[0].Lease, wrongPart, claimed[1].Lease);
        var before = await RequireJobAsync(scope, claimed[0].Job.Id);
        var beforeOther = await RequireJobAsync(scope, claimed[1].Job.Id);

        var error = await Assert.ThrowsAnyAsync<ConflictException>(
            () => Store.CompleteAsync(lease, Succeeded("late output"), Now, Ct));

        Assert.Equal("lease_lost", error.Code);
        Assert.Equal(before, await RequireJobAsync(scope, before.Id));
        Assert.Equal(beforeOther, await RequireJobAsync(scope, beforeOther.Id));
        Assert.Empty((await Store.GetLogsAsync(scope, before.Id, Ct))!);
        Assert.Empty((await Store.GetLogsAsync(scope, beforeOther.Id, Ct))!);
    }

    [Fact]
    public async Task Complete_throws_lease_lost_and_writes_nothing_when_lease_expired()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        var before = await RequireJobAsync(scope, job.Id);
        Clock.Advance(LeaseTime + TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAnyAsync<ConflictException>(
            () => Store.CompleteAsync(claimed.Lease, Succeeded("too late"), Now, Ct));

        // JOB-3: an expired lease is as good as lost, even before the reaper runs.
        Assert.Equal("lease_lost", error.Code);
        Assert.Equal(before, await RequireJobAsync(scope, job.Id));
        Assert.Empty((await Store.GetLogsAsync(scope, job.Id, Ct))!);
    }

    [Fact]
    public async Task Complete_refuses_first_worker_after_job_was_reaped_and_reclaimed()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var first = await ClaimOneAsync("w1");
        Clock.Advance(LeaseTime + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Store.ReapExpiredLeasesAsync(Now, Ct));
        var second = await ClaimOneAsync("w2");

        var error = await Assert.ThrowsAnyAsync<ConflictException>(
            () => Store.CompleteAsync(first.Lease, Succeeded("stale"), Now, Ct));

        // JOB-3: the stale worker's late write is refused; the new holder is unaffected.
        Assert.Equal("lease_lost", error.Code);
        Assert.Equal(2, second.Lease.Attempt);
        Assert.NotEqual(first.Lease.Token, second.Lease.Token);
        var running = await RequireJobAsync(scope, job.Id);
        Assert.Equal((JobState.Running, 2), (running.State, running.Attempts));
        Assert.Empty((await Store.GetLogsAsync(scope, job.Id, Ct))!);
        await Store.CompleteAsync(second.Lease, Succeeded("fresh"), Now, Ct);
        Assert.Equal(JobState.Succeeded, (await RequireJobAsync(scope, job.Id)).State);
        Assert.Equal([2], (await Store.GetLogsAsync(scope, job.Id, Ct))!.Select(l => l.Attempt));
    }

    [Fact]
    public async Task Complete_throws_illegal_transition_and_writes_nothing_for_a_state_running_cannot_reach()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        var before = await RequireJobAsync(scope, job.Id);

        // JOB-2: never a silent overwrite.
        await Assert.ThrowsAsync<IllegalTransitionException>(
            () => Store.CompleteAsync(claimed.Lease, new Completion { NextState = JobState.Scheduled, Stdout = "x" }, Now, Ct));

        Assert.Equal(before, await RequireJobAsync(scope, job.Id));
        Assert.Empty((await Store.GetLogsAsync(scope, job.Id, Ct))!);
    }

    [Fact]
    public async Task Retrying_job_is_claimed_again_after_RetryAt_and_logs_are_kept_per_attempt()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var first = await ClaimOneAsync();
        var retryAt = Now.AddSeconds(10);

        await Store.CompleteAsync(
            first.Lease,
            new Completion
            {
                NextState = JobState.Retrying,
                RetryAt = retryAt,
                Error = "timed out",
                ErrorCode = "timeout",
                Stdout = "try 1",
            },
            Now,
            Ct);

        var waiting = await RequireJobAsync(scope, job.Id);
        Assert.Equal((JobState.Retrying, retryAt, "timeout"), (waiting.State, waiting.RunAt, waiting.ErrorCode));
        Assert.Null(waiting.FinishedAt);
        Assert.Empty(await Store.ClaimAsync("w1", 5, LeaseTime, Now, Ct));
        Assert.Equal(retryAt, await Store.NextDueAtAsync(Ct));

        Clock.Advance(TimeSpan.FromSeconds(10));
        var second = await ClaimOneAsync("w2");
        Assert.Equal((job.Id, 2), (second.Job.Id, second.Lease.Attempt));
        Assert.Equal(first.Job.StartedAt, second.Job.StartedAt);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.CompleteAsync(second.Lease, Succeeded("try 2"), Now, Ct);

        var logs = await Store.GetLogsAsync(scope, job.Id, Ct);
        Assert.Equal([(1, "stdout", "try 1"), (2, "stdout", "try 2")], logs!.Select(l => (l.Attempt, l.Stream, l.Text)));
        Assert.Equal(JobState.Succeeded, (await RequireJobAsync(scope, job.Id)).State);
    }

    [Fact]
    public async Task Complete_cancels_instead_of_retrying_when_cancel_was_requested()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        await Store.RequestCancelAsync(scope, job.Id, Now, Ct);

        await Store.CompleteAsync(
            claimed.Lease,
            new Completion { NextState = JobState.Retrying, RetryAt = Now.AddSeconds(5), Error = "killed" },
            Now,
            Ct);

        // A retrying job with a pending cancel could never run again: the cancel wins.
        var done = await RequireJobAsync(scope, job.Id);
        Assert.Equal(JobState.Cancelled, done.State);
        Assert.Equal(Now, done.FinishedAt);
        Assert.Null(await Store.NextDueAtAsync(Ct));
    }

    private static Lease Tamper(Lease lease, string wrongPart, Lease otherHeld) => wrongPart switch
    {
        "token" => lease with { Token = otherHeld.Token },
        "attempt" => lease with { Attempt = lease.Attempt + 1 },
        "job" => lease with { JobId = otherHeld.JobId, Token = lease.Token },
        _ => throw new ArgumentOutOfRangeException(nameof(wrongPart)),
    };
}
