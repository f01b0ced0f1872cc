using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Tests.Conformance;

// TEN-1: another tenant's job does not exist for this tenant, whatever it tries.
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Other_tenant_cannot_get_list_cancel_or_read_logs_of_a_job()
    {
        var (owner, template) = await TenantWithTemplateAsync("acme");
        var intruder = await NewTenantAsync("intruder");
        var job = await EnqueueAsync(owner, template);
        var claimed = await ClaimOneAsync();
        await Store.CompleteAsync(
            claimed.Lease,
            new Completion { NextState = JobState.Retrying, RetryAt = Now.AddMinutes(1), Stdout = "secret-ish output" },
            Now,
            Ct);
        var before = await RequireJobAsync(owner, job.Id);

        Assert.Null(await GetAsync(intruder, job.Id));
        Assert.Empty((await Store.ListJobsAsync(intruder, new JobQuery(), Ct)).Jobs);
        Assert.Empty((await Store.ListJobsAsync(intruder, new JobQuery(TemplateKey: "ops.scan"), Ct)).Jobs);
        Assert.Null(await Store.GetLogsAsync(intruder, job.Id, Ct));
        Assert.Null(await Store.RequestCancelAsync(intruder, job.Id, Now, Ct));

        // The refused cancel changed nothing.
        Assert.Equal(before, await RequireJobAsync(owner, job.Id));
        Assert.Single((await Store.GetLogsAsync(owner, job.Id, Ct))!);
        Assert.Single((await Store.ListJobsAsync(owner, new JobQuery(), Ct)).Jobs);
    }
}
