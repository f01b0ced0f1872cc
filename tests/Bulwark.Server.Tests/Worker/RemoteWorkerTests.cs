using Bulwark.Cli;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Worker;

/// <summary>
/// <c>bulwark worker --server URL</c> end to end (AUTH-7, JOB-3, JOB-4): a real server whose own
/// workers are off, and the remote worker, in-process, running every job in its own bubblewrap sandbox.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RemoteWorkerTests
{
    [Fact] // AUTH-7, JOB-6: the job runs on the remote worker, with its logs, and without the node-local runtime API
    public async Task Remote_worker_runs_a_submitted_job_to_success_with_its_logs_when_local_workers_are_off()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("rw.echo",
            "echo \"hello $(cat) token=${BULWARK_TASK_TOKEN:-none} socket=${BULWARK_RUNTIME_SOCKET:-none} user=$(id -u)\""));
        await using var worker = RemoteWorkerProcess.Start(server);

        var id = (await server.SubmitAsync(key, new { template = "rw.echo", inputs = new { n = 1 } })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), logs + worker.Output);
        Assert.Contains("hello {\"n\":1} token=none socket=none user=61000", logs, StringComparison.Ordinal);
        Assert.Equal(0, job.GetProperty("result").GetProperty("exit_code").GetInt32());
        var run = await worker.StopAsync();
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Bulwark worker", run.Stdout, StringComparison.Ordinal);
    }

    [Fact] // JOB-4: a failing job is retried through the worker API, then dead-lettered with its last error
    public async Task Remote_worker_retries_then_dead_letters_a_failing_job()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("rw.fail", "echo attempt-$BULWARK_ATTEMPT; exit 3", maxAttempts: 2));
        await using var worker = RemoteWorkerProcess.Start(server);

        var id = (await server.SubmitAsync(key, new { template = "rw.fail" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.True("dead" == job.GetProperty("state").GetString(), logs + worker.Output);
        Assert.Equal(2, job.GetProperty("attempts").GetInt32());
        Assert.Equal("exit_code", job.GetProperty("error_code").GetString());
        Assert.Contains("attempt-1", logs, StringComparison.Ordinal);
        Assert.Contains("attempt-2", logs, StringComparison.Ordinal);
    }

    [Fact] // JOB-4, JOB-3: a user's cancel of a remotely running job kills it (the heartbeat carries cancel_requested)
    public async Task Cancel_of_a_running_remote_job_kills_it_and_ends_it_cancelled()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("rw.sleep", "echo started; sleep 50", maxAttempts: 3, timeoutSeconds: 60));
        await using var worker = RemoteWorkerProcess.Start(server);

        var id = (await server.SubmitAsync(key, new { template = "rw.sleep" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "running");
        var cancelledAt = DateTime.UtcNow;
        using (var cancel = await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{id}/cancel", key))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }

        var job = await server.WaitForStateAsync(key, id, "cancelled", "succeeded", "failed", "dead");
        Assert.True("cancelled" == job.GetProperty("state").GetString(), job + worker.Output);
        Assert.True(DateTime.UtcNow - cancelledAt < TimeSpan.FromSeconds(30), "the run was killed, not waited out");
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
    }

    [Fact] // JOB-3: a stopped worker reports nothing for its killed runs; the lease expires and the reaper requeues the job
    public async Task Stopping_the_worker_kills_its_runs_and_leaves_their_jobs_to_the_reaper()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("rw.long", "echo started; sleep 50", maxAttempts: 3, timeoutSeconds: 60));
        var worker = RemoteWorkerProcess.Start(server);

        var id = (await server.SubmitAsync(key, new { template = "rw.long" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "running");
        var stopped = DateTime.UtcNow;
        var run = await worker.StopAsync();
        await worker.DisposeAsync();

        Assert.Equal(0, run.ExitCode);
        Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(20), "the run was killed, not waited out");
        var job = await server.WaitForStateAsync(key, id, "retrying", "queued");
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        Assert.Equal("", await server.LogsAsync(key, id)); // nothing was completed for the killed run
    }

    [Fact] // AUTH-7: a worker with a wrong token stops with one sentence, it does not spin
    public async Task Remote_worker_exits_with_an_error_when_the_server_refuses_its_token()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        await using var worker = RemoteWorkerProcess.Start(server, token: new string('z', 40));
        var run = await worker.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("refused this worker's credential", run.Stderr, StringComparison.Ordinal);
    }

    [Fact] // CLI: the token is required and --help says what a remote job does not get
    public async Task Worker_command_requires_its_token_and_its_help_names_the_missing_runtime_api()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["worker", "--server", "http://127.0.0.1:1"], stdout, stderr, new Dictionary<string, string?>());
        Assert.Equal(1, code);
        Assert.Contains("BULWARK_WORKER_TOKEN", stderr.ToString(), StringComparison.Ordinal);

        using var helpOut = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["worker", "--help"], helpOut, new StringWriter(), new Dictionary<string, string?>()));
        Assert.Contains("BULWARK_TASK_TOKEN", helpOut.ToString(), StringComparison.Ordinal);
        Assert.Contains("--server", helpOut.ToString(), StringComparison.Ordinal);
    }
}
