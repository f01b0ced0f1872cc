using System.Net;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Jobs;

/// <summary>A tenant's script job, end to end: HTTP → SQLite queue → worker → bubblewrap → logs.</summary>
public sealed class ScriptJobTests
{
    [Fact] // JOB-1, JOB-2, BOX-1, JOB-6
    public async Task Submitted_script_job_succeeds_and_its_output_is_in_the_logs()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);

        var submitted = await server.SubmitAsync(key, new { template = "demo.echo", inputs = new { name = "world" } });
        var id = submitted.GetProperty("id").GetString()!;
        Assert.Equal("demo.echo", submitted.GetProperty("template").GetString());
        Assert.Equal(1, submitted.GetProperty("template_version").GetInt32());

        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        Assert.Equal(0, job.GetProperty("result").GetProperty("exit_code").GetInt32());
        Assert.Contains("hello world", await server.LogsAsync(key, id), StringComparison.Ordinal);
    }

    [Fact] // JOB-1: inputs reach the script as JSON on stdin and in BULWARK_INPUTS
    public async Task Script_receives_inputs_on_stdin_and_in_BULWARK_INPUTS()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("io.echo", "echo \"stdin=$(cat)\"; echo \"env=$BULWARK_INPUTS\"; id -u"));

        var id = (await server.SubmitAsync(key, new { template = "io.echo", inputs = new { n = 7 } })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "succeeded");

        var logs = await server.LogsAsync(key, id);
        Assert.Contains("stdin={\"n\":7}", logs, StringComparison.Ordinal);
        Assert.Contains("env={\"n\":7}", logs, StringComparison.Ordinal);
        // BOX-1: the job runs as the configured unprivileged uid, never host root.
        Assert.Contains($"\n{server.Options.SandboxUid}\n", logs, StringComparison.Ordinal);
    }

    [Fact] // JOB-4: retries up to max_attempts, then dead-lettered with the last error kept
    public async Task Failing_job_is_retried_then_dead_with_its_last_error()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("always.fails", "echo attempt $BULWARK_ATTEMPT; exit 3", maxAttempts: 3));

        var id = (await server.SubmitAsync(key, new { template = "always.fails" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "dead", "succeeded", "failed");

        Assert.Equal("dead", job.GetProperty("state").GetString());
        Assert.Equal(3, job.GetProperty("attempts").GetInt32());
        Assert.Equal("exit_code", job.GetProperty("error_code").GetString());
        Assert.Contains("code 3", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        var logs = await server.LogsAsync(key, id);
        Assert.Contains("attempt 1", logs, StringComparison.Ordinal);
        Assert.Contains("attempt 3", logs, StringComparison.Ordinal);
    }

    [Fact] // JOB-4, BOX-2: the per-attempt timeout kills the run
    public async Task Job_over_its_timeout_is_killed_and_ends_with_reason_timeout()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        var marker = "bulwark-timeout-" + Guid.NewGuid().ToString("N");
        await server.ApplyTemplateAsync(TemplateFiles.Script("slow.job", $"sleep 300 # {marker}", timeoutSeconds: 1));

        var id = (await server.SubmitAsync(key, new { template = "slow.job" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "dead", "succeeded", "failed");

        Assert.Equal("dead", job.GetProperty("state").GetString());
        Assert.Equal("timeout", job.GetProperty("error_code").GetString());
        Assert.Empty(Processes.WithMarker(marker)); // BOX-4: nothing survives
    }

    [Fact] // JOB-4: cancelling a running job kills it, then it is cancelled
    public async Task Cancelling_a_running_job_kills_its_process_and_ends_cancelled()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        var marker = "bulwark-cancel-" + Guid.NewGuid().ToString("N");
        await server.ApplyTemplateAsync(TemplateFiles.Script("long.job", $"echo started; sleep 300 # {marker}", timeoutSeconds: 120));

        var id = (await server.SubmitAsync(key, new { template = "long.job" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "running");
        await Processes.WaitUntilRunningAsync(marker);

        using var cancel = await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{id}/cancel", key);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        var job = await server.WaitForStateAsync(key, id, "cancelled", "succeeded", "dead", "failed");
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        Assert.Empty(Processes.WithMarker(marker));
    }

    [Fact] // JOB-4, JOB-5: a queued (delayed) job is cancelled at once and never runs
    public async Task Cancelling_a_delayed_job_cancels_it_at_once_and_it_never_runs()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);

        var runAt = DateTimeOffset.UtcNow.AddSeconds(2).ToString("O");
        var submitted = await server.SubmitAsync(key, new { template = "demo.echo", run_at = runAt });
        var id = submitted.GetProperty("id").GetString()!;
        Assert.Equal("scheduled", submitted.GetProperty("state").GetString());

        using var cancel = await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{id}/cancel", key);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", (await server.GetJobAsync(key, id)).GetProperty("state").GetString());

        await Task.Delay(TimeSpan.FromSeconds(3)); // past run_at: it must still not have run
        var job = await server.GetJobAsync(key, id);
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        Assert.Equal(0, job.GetProperty("attempts").GetInt32());
        Assert.Equal("", await server.LogsAsync(key, id));

        using var again = await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{id}/cancel", key);
        await Problem.AssertAsync(again, HttpStatusCode.Conflict, "illegal_transition");
    }

    [Fact] // JOB-5, OPS-1: a delayed job is durable across a restart, and runs after it
    public async Task Delayed_job_survives_a_server_restart_and_then_runs()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);

        var runAt = DateTimeOffset.UtcNow.AddSeconds(3).ToString("O");
        var id = (await server.SubmitAsync(key, new { template = "demo.echo", inputs = new { name = "later" }, run_at = runAt }))
            .GetProperty("id").GetString()!;

        await server.RestartAsync();
        Assert.Null(server.RestartBootstrapKey); // the admin key is printed once, ever

        var job = await server.WaitForStateAsync(key, id, "succeeded", "dead", "failed");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        // Times are stored to the millisecond, so compare with the run_at the server kept.
        var keptRunAt = job.GetProperty("run_at").GetDateTimeOffset();
        Assert.True((DateTimeOffset.Parse(runAt, System.Globalization.CultureInfo.InvariantCulture) - keptRunAt).Duration() < TimeSpan.FromMilliseconds(1));
        Assert.True(job.GetProperty("started_at").GetDateTimeOffset() >= keptRunAt);
        Assert.Contains("hello later", await server.LogsAsync(key, id), StringComparison.Ordinal);
    }

    [Fact] // API.md GET /v1/jobs: newest first, cursor paging, state filter
    public async Task Listing_shows_newest_first_with_cursor_paging()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);
        var future = DateTimeOffset.UtcNow.AddHours(1).ToString("O");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await server.SubmitAsync(key, new { template = "demo.echo", run_at = future })).GetProperty("id").GetString()!);
        }

        using var first = await server.SendAsync(HttpMethod.Get, "/v1/jobs?limit=2", key);
        var page1 = System.Text.Json.JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal([ids[2], ids[1]], page1.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()!));
        var cursor = page1.GetProperty("next_cursor").GetString();

        using var second = await server.SendAsync(HttpMethod.Get, $"/v1/jobs?limit=2&cursor={cursor}", key);
        var page2 = System.Text.Json.JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal([ids[0]], page2.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()!));

        using var filtered = await server.SendAsync(HttpMethod.Get, "/v1/jobs?state=succeeded", key);
        Assert.Empty(System.Text.Json.JsonDocument.Parse(await filtered.Content.ReadAsStringAsync()).RootElement.GetProperty("jobs").EnumerateArray());
    }
}
