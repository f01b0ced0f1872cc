using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Runtime;

namespace Bulwark.Storage.Tests.Conformance;

// The runtime API's data (JOB-7, AUTHZ-5): variables and runtime log lines of the job whose
// lease is presented, written only under that lease's fence (JOB-3), never another job's.
public abstract partial class StoreConformanceTests
{
    [Fact] // JOB-7
    public async Task Variable_put_then_get_returns_the_value_and_a_second_put_replaces_it()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();

        Assert.Null(await Store.GetVariableAsync(claimed.Lease, "progress", Now, Ct));
        await Store.PutVariableAsync(claimed.Lease, "progress", """{"done":1}""", Now, Ct);
        Assert.Equal("""{"done":1}""", await Store.GetVariableAsync(claimed.Lease, "progress", Now, Ct));
        await Store.PutVariableAsync(claimed.Lease, "progress", "[2, \"two\"]", Now, Ct);
        Assert.Equal("[2, \"two\"]", await Store.GetVariableAsync(claimed.Lease, "progress", Now, Ct));
    }

    [Fact] // JOB-7: variables belong to the job, so a later attempt sees what an earlier one set
    public async Task Variable_set_in_one_attempt_is_seen_by_the_next_attempt_of_the_same_job()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        await EnqueueAsync(scope, template);
        var first = await ClaimOneAsync();
        await Store.PutVariableAsync(first.Lease, "cursor", "42", Now, Ct);
        await Store.CompleteAsync(first.Lease, new Completion { NextState = JobState.Retrying, RetryAt = Now }, Now, Ct);

        var second = await ClaimOneAsync("w2");

        Assert.Equal((first.Job.Id, 2), (second.Job.Id, second.Lease.Attempt));
        Assert.Equal("42", await Store.GetVariableAsync(second.Lease, "cursor", Now, Ct));
    }

    [Fact] // JOB-7, TEN-1: job B's lease never reaches job A's variables
    public async Task Variables_of_one_job_are_invisible_to_another_job()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        await EnqueueAsync(scope, template);
        await EnqueueAsync(scope, template);
        var claimed = await Store.ClaimAsync("w1", 2, LeaseTime, Now, Ct);
        var (a, b) = (claimed[0].Lease, claimed[1].Lease);

        await Store.PutVariableAsync(a, "secret_plan", "\"a's\"", Now, Ct);
        await Store.PutVariableAsync(b, "other", "\"b's\"", Now, Ct);

        Assert.Null(await Store.GetVariableAsync(b, "secret_plan", Now, Ct));
        Assert.Null(await Store.GetVariableAsync(a, "other", Now, Ct));
        // Job B setting the same name creates its own variable; A's is untouched.
        await Store.PutVariableAsync(b, "secret_plan", "\"b's own\"", Now, Ct);
        Assert.Equal("\"a's\"", await Store.GetVariableAsync(a, "secret_plan", Now, Ct));
        Assert.Equal("\"b's own\"", await Store.GetVariableAsync(b, "secret_plan", Now, Ct));
    }

    public static TheoryData<string> StaleRuntimeLeases => ["token", "attempt", "job", "expired", "finished"];

    [Theory] // AUTHZ-5, JOB-3
    [MemberData(nameof(StaleRuntimeLeases))]
    public async Task Runtime_writes_throw_lease_lost_and_write_nothing_when_the_fence_does_not_match(string how)
    {
        var (scope, template) = await TenantWithTemplateAsync();
        await EnqueueAsync(scope, template);
        await EnqueueAsync(scope, template);
        var claimed = await Store.ClaimAsync("w1", 2, LeaseTime, Now, Ct);
        var held = claimed[0].Lease;
        await Store.PutVariableAsync(held, "kept", "1", Now, Ct);
        var lease = how switch
        {
            "token" => held with { Token = claimed[1].Lease.Token },
            "attempt" => held with { Attempt = held.Attempt + 1 },
            "job" => held with { JobId = claimed[1].Lease.JobId },
            _ => held,
        };
        if (how == "expired")
        {
            Clock.Advance(LeaseTime + TimeSpan.FromMilliseconds(1));
        }
        else if (how == "finished")
        {
            await Store.CompleteAsync(held, Succeeded(), Now, Ct);
        }

        var put = await Assert.ThrowsAnyAsync<ConflictException>(() => Store.PutVariableAsync(lease, "kept", "2", Now, Ct));
        var putNew = await Assert.ThrowsAnyAsync<ConflictException>(() => Store.PutVariableAsync(lease, "fresh", "3", Now, Ct));
        var get = await Assert.ThrowsAnyAsync<ConflictException>(() => Store.GetVariableAsync(lease, "kept", Now, Ct));
        var log = await Assert.ThrowsAnyAsync<ConflictException>(() => Store.AppendLogAsync(lease, RuntimeLogs.Stream, "late", Now, Ct));

        Assert.All(new[] { put, putNew, get, log }, e => Assert.Equal("lease_lost", e.Code));
        // Nothing was written to either job.
        foreach (var job in claimed)
        {
            Assert.DoesNotContain((await Store.GetLogsAsync(scope, job.Job.Id, Ct))!, l => l.Stream == RuntimeLogs.Stream);
        }

        if (how is "token" or "attempt" or "job")
        {
            Assert.Equal("1", await Store.GetVariableAsync(held, "kept", Now, Ct));
            Assert.Null(await Store.GetVariableAsync(held, "fresh", Now, Ct));
            Assert.Null(await Store.GetVariableAsync(claimed[1].Lease, "kept", Now, Ct));
            Assert.Null(await Store.GetVariableAsync(claimed[1].Lease, "fresh", Now, Ct));
        }
        else
        {
            // The job is no longer held by anyone who could read; prove through a new claim.
            var retried = await ReclaimAsync(held, how);
            if (retried is not null)
            {
                Assert.Equal("1", await Store.GetVariableAsync(retried.Lease, "kept", Now, Ct));
                Assert.Null(await Store.GetVariableAsync(retried.Lease, "fresh", Now, Ct));
            }
        }
    }

    [Fact] // JOB-6, JOB-7
    public async Task Runtime_log_lines_join_the_attempt_logs_as_stream_runtime_in_order()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();

        await Store.AppendLogAsync(claimed.Lease, RuntimeLogs.Stream, "step 1\n", Now, Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.AppendLogAsync(claimed.Lease, RuntimeLogs.Stream, "step 2\n", Now, Ct);
        await Store.CompleteAsync(claimed.Lease, Succeeded("out\n"), Now, Ct);

        var logs = await Store.GetLogsAsync(scope, job.Id, Ct);
        Assert.Equal(
            [(1, "runtime", "step 1\n"), (1, "runtime", "step 2\n"), (1, "stdout", "out\n")],
            logs!.Select(l => (l.Attempt, l.Stream, l.Text)));
    }

    [Fact] // TEN-1: another tenant cannot read the job's runtime lines
    public async Task Runtime_log_lines_are_invisible_to_another_tenant()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var other = await NewTenantAsync("globex");
        var job = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();

        await Store.AppendLogAsync(claimed.Lease, RuntimeLogs.Stream, "private\n", Now, Ct);

        Assert.Null(await Store.GetLogsAsync(other, job.Id, Ct));
        Assert.Single((await Store.GetLogsAsync(scope, job.Id, Ct))!);
    }

    [Fact] // JOB-7: at most 100 variables per job; replacing one at the cap is still allowed
    public async Task Variable_put_beyond_the_per_job_limit_is_refused_and_writes_nothing()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        await EnqueueAsync(scope, template);
        await EnqueueAsync(scope, template);
        var claimed = await Store.ClaimAsync("w1", 2, LeaseTime, Now, Ct);
        var lease = claimed[0].Lease;
        for (var i = 0; i < RunVariables.MaxPerJob; i++)
        {
            await Store.PutVariableAsync(lease, $"v{i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture), Now, Ct);
        }

        var error = await Assert.ThrowsAnyAsync<ConflictException>(() => Store.PutVariableAsync(lease, "one_more", "1", Now, Ct));

        Assert.Equal("variable_limit", error.Code);
        Assert.Null(await Store.GetVariableAsync(lease, "one_more", Now, Ct));
        await Store.PutVariableAsync(lease, "v7", "\"replaced\"", Now, Ct);
        Assert.Equal("\"replaced\"", await Store.GetVariableAsync(lease, "v7", Now, Ct));
        // The cap is per job: another job still has room.
        await Store.PutVariableAsync(claimed[1].Lease, "one_more", "1", Now, Ct);
    }

    [Theory] // NET-2, JOB-7: names follow Identifiers; values are capped
    [InlineData("bad name")]
    [InlineData("../etc")]
    [InlineData("")]
    public async Task Variable_with_a_bad_name_is_refused_and_writes_nothing(string name)
    {
        var (scope, template) = await TenantWithTemplateAsync();
        await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();

        await Assert.ThrowsAsync<InvalidPayloadException>(() => Store.PutVariableAsync(claimed.Lease, name, "1", Now, Ct));
        await Assert.ThrowsAsync<InvalidPayloadException>(() => Store.GetVariableAsync(claimed.Lease, name, Now, Ct));
    }

    [Fact] // JOB-7
    public async Task Variable_value_over_64_KiB_is_refused_and_writes_nothing()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        var exactly = "\"" + new string('x', RunVariables.MaxValueBytes - 2) + "\"";

        await Store.PutVariableAsync(claimed.Lease, "big", exactly, Now, Ct);
        await Assert.ThrowsAsync<InvalidPayloadException>(
            () => Store.PutVariableAsync(claimed.Lease, "big", "\"" + new string('y', RunVariables.MaxValueBytes) + "\"", Now, Ct));

        Assert.Equal(exactly, await Store.GetVariableAsync(claimed.Lease, "big", Now, Ct));
    }

    /// <summary>After an expired or finished attempt: a new claim of the same job, when it is claimable again.</summary>
    private async Task<ClaimedJob?> ReclaimAsync(Lease old, string how)
    {
        if (how != "expired")
        {
            return null;
        }

        await Store.ReapExpiredLeasesAsync(Now, Ct);
        var again = await Store.ClaimAsync("w2", 2, LeaseTime, Now, Ct);
        return again.FirstOrDefault(c => c.Job.Id == old.JobId);
    }
}
