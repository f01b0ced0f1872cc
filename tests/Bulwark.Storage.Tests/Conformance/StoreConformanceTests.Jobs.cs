using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Tests.Conformance;

// Submission, reading and listing (JOB-2, JOB-5).
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Enqueue_queues_job_due_now_and_appends_its_audit_entry()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var submitted = NewJob(template, priority: 5, inputsJson: """{"host":"a"}""");

        var result = await Store.EnqueueAsync(scope, submitted, SubmitAudit(scope, submitted.Id), Ct);

        Assert.True(result.Created);
        var job = result.Job;
        Assert.Equal(submitted.Id, job.Id);
        Assert.Equal(scope.TenantId, job.TenantId);
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(("ops.scan", 1), (job.TemplateKey, job.TemplateVersion));
        Assert.Equal((0, 3, 5), (job.Attempts, job.MaxAttempts, job.Priority));
        Assert.Equal("""{"host":"a"}""", job.InputsJson);
        Assert.Equal((submitted.RunAt, submitted.CreatedAt), (job.RunAt, job.CreatedAt));
        Assert.Null(job.StartedAt);
        Assert.False(job.CancelRequested);
        Assert.Equal("user:test", job.Actor);
        Assert.Equal(job, await GetAsync(scope, job.Id));
        var audit = Assert.Single(await Store.ListAuditAsync(scope, 10, Ct));
        Assert.Equal(("job.submit", submitted.Id), (audit.Action, audit.Target));
    }

    [Fact]
    public async Task Enqueue_schedules_job_when_run_at_is_later_than_now()
    {
        var (scope, template) = await TenantWithTemplateAsync();

        var job = await EnqueueAsync(scope, template, delay: TimeSpan.FromMinutes(10));

        // JOB-5 delayed jobs.
        Assert.Equal(JobState.Scheduled, job.State);
        Assert.Equal(Now.AddMinutes(10), job.RunAt);
    }

    [Fact]
    public async Task Enqueue_returns_existing_job_when_tenant_repeats_idempotency_key()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var first = await EnqueueAsync(scope, template, idempotencyKey: "order-42");
        var repeat = NewJob(template, priority: 9, idempotencyKey: "order-42");

        var result = await Store.EnqueueAsync(scope, repeat, SubmitAudit(scope, repeat.Id), Ct);

        // JOB-5: same key in one tenant → the same job, untouched.
        Assert.False(result.Created);
        Assert.Equal(first, result.Job);
        Assert.Null(await GetAsync(scope, repeat.Id));
        Assert.Single((await Store.ListJobsAsync(scope, new JobQuery(), Ct)).Jobs);
        // The repeat is still on record, in the same transaction, naming the job it resolved to.
        var audit = await Store.ListAuditAsync(scope, 10, Ct);
        Assert.Equal(2, audit.Count);
        Assert.Equal(first.Id, audit[0].Target);
    }

    [Fact]
    public async Task Enqueue_creates_two_jobs_when_two_tenants_use_the_same_idempotency_key()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        var global = await PutTemplateAsync(null, "ops.scan");

        var a = await EnqueueAsync(acme, global, idempotencyKey: "shared-key");
        var b = await EnqueueAsync(other, global, idempotencyKey: "shared-key");

        // JOB-5 + TEN-1: the key belongs to the tenant; another tenant's key is unrelated.
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(acme.TenantId, a.TenantId);
        Assert.Equal(other.TenantId, b.TenantId);
    }

    [Fact]
    public async Task Enqueue_refuses_template_of_another_tenant_and_writes_nothing()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        var foreign = await PutTemplateAsync(other.TenantId, "private.job");
        var job = NewJob(foreign);

        // TEN-1: a tenant may run its own and global templates only.
        await Assert.ThrowsAsync<NotFoundException>(() => Store.EnqueueAsync(acme, job, SubmitAudit(acme, job.Id), Ct));

        Assert.Null(await GetAsync(acme, job.Id));
        Assert.Null(await GetAsync(other, job.Id));
        Assert.Empty(await Store.ListAuditAsync(acme, 10, Ct));
        Assert.Null(await Store.NextDueAtAsync(Ct));
    }

    [Fact]
    public async Task GetJob_returns_null_when_job_does_not_exist()
    {
        var (scope, _) = await TenantWithTemplateAsync();

        Assert.Null(await GetAsync(scope, "job_00000000000000000000000000000000"));
    }

    [Fact]
    public async Task ListJobs_pages_newest_first_with_cursor()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await EnqueueAsync(scope, template)).Id);
        }

        var page1 = await Store.ListJobsAsync(scope, new JobQuery(Limit: 2), Ct);
        var page2 = await Store.ListJobsAsync(scope, new JobQuery(Limit: 2, Cursor: page1.NextCursor), Ct);
        var page3 = await Store.ListJobsAsync(scope, new JobQuery(Limit: 2, Cursor: page2.NextCursor), Ct);

        Assert.Equal([ids[4], ids[3]], page1.Jobs.Select(j => j.Id));
        Assert.Equal(ids[3], page1.NextCursor);
        Assert.Equal([ids[2], ids[1]], page2.Jobs.Select(j => j.Id));
        Assert.Equal([ids[0]], page3.Jobs.Select(j => j.Id));
        Assert.Null(page3.NextCursor);
    }

    [Fact]
    public async Task ListJobs_filters_by_state_and_template_key()
    {
        var (scope, scan) = await TenantWithTemplateAsync();
        var apply = await PutTemplateAsync(scope.TenantId, "ops.apply");
        var queuedScan = await EnqueueAsync(scope, scan);
        var scheduledScan = await EnqueueAsync(scope, scan, delay: TimeSpan.FromHours(1));
        var queuedApply = await EnqueueAsync(scope, apply);

        var scheduled = await Store.ListJobsAsync(scope, new JobQuery(State: JobState.Scheduled), Ct);
        var applies = await Store.ListJobsAsync(scope, new JobQuery(TemplateKey: "ops.apply"), Ct);
        var queuedScans = await Store.ListJobsAsync(scope, new JobQuery(State: JobState.Queued, TemplateKey: "ops.scan"), Ct);
        var none = await Store.ListJobsAsync(scope, new JobQuery(State: JobState.Dead), Ct);

        Assert.Equal([scheduledScan.Id], scheduled.Jobs.Select(j => j.Id));
        Assert.Equal([queuedApply.Id], applies.Jobs.Select(j => j.Id));
        Assert.Equal([queuedScan.Id], queuedScans.Jobs.Select(j => j.Id));
        Assert.Empty(none.Jobs);
        Assert.Null(none.NextCursor);
    }

    [Fact]
    public async Task ListJobs_clamps_limit_to_allowed_range()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        for (var i = 0; i < 3; i++)
        {
            await EnqueueAsync(scope, template);
        }

        var zero = await Store.ListJobsAsync(scope, new JobQuery(Limit: 0), Ct);
        var huge = await Store.ListJobsAsync(scope, new JobQuery(Limit: JobQuery.MaxLimit * 10), Ct);

        Assert.Single(zero.Jobs);
        Assert.NotNull(zero.NextCursor);
        Assert.Equal(3, huge.Jobs.Count);
        Assert.Null(huge.NextCursor);
    }

    [Fact]
    public async Task GetLogs_returns_empty_list_for_job_without_output_and_null_for_missing_job()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);

        Assert.Empty((await Store.GetLogsAsync(scope, job.Id, Ct))!);
        Assert.Null(await Store.GetLogsAsync(scope, "job_00000000000000000000000000000000", Ct));
    }

    [Fact]
    public async Task Delayed_job_survives_closing_and_reopening_the_store()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template, delay: TimeSpan.FromHours(2));
        await Store.DisposeAsync();

        var reopened = await OpenAnotherAsync();

        Assert.Equal(job, await reopened.GetJobAsync(scope, job.Id, Ct));
        Assert.Equal(job.RunAt, await reopened.NextDueAtAsync(Ct));
        Assert.Empty(await reopened.ClaimAsync("w1", 10, LeaseTime, Now, Ct));
        Clock.Advance(TimeSpan.FromHours(2));
        var claimed = Assert.Single(await reopened.ClaimAsync("w1", 10, LeaseTime, Now, Ct));
        Assert.Equal(job.Id, claimed.Job.Id);
        Assert.Equal(template.Id, claimed.Template.Id);
    }
}
