using Bulwark.Cli;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Cli;

/// <summary><c>bulwark submit --wait</c> against a real server: lines appear while the job runs (JOB-6), the exit code is the outcome.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SubmitWaitServerTests
{
    private const string Rt = """
        rt() { m=$1; p=$2; shift 2; curl -sS --unix-socket "$BULWARK_RUNTIME_SOCKET" -X "$m" -H "Authorization: Bearer $BULWARK_TASK_TOKEN" -H 'Content-Type: application/json' -o /dev/null "http://runtime$p" "$@"; }

        """;

    [Fact] // JOB-6: the first line is printed while the job still runs; a cancelled job exits 1 and says so
    public async Task Submit_wait_prints_lines_while_the_job_runs_and_exits_with_its_outcome()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("cli.talker", Rt + """
            rt POST /runtime/v1/log --data '{"message":"working"}'
            i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
            """, timeoutSeconds: 90));
        var environment = new Dictionary<string, string?> { ["BULWARK_URL"] = server.Http.BaseAddress!.ToString(), ["BULWARK_API_KEY"] = key };
        var stdout = new SnapshotWriter();
        var stderr = new SnapshotWriter();

        var run = CliApp.RunAsync(["submit", "cli.talker", "--wait"], stdout, stderr, environment, CancellationToken.None);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!stdout.Snapshot().Contains("[info] working\n", StringComparison.Ordinal))
        {
            Assert.False(run.IsCompleted, $"the command ended before printing the line: {stdout.Snapshot()} {stderr.Snapshot()}");
            Assert.True(DateTime.UtcNow < deadline, $"the line never came: {stdout.Snapshot()}");
            await Task.Delay(100);
        }

        var id = stdout.Snapshot().Split(' ')[0];
        Assert.Equal("running", (await server.GetJobAsync(key, id)).GetProperty("state").GetString());
        Assert.False(run.IsCompleted);
        using (var cancel = await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{id}/cancel", key))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }

        Assert.Equal(1, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        var lines = stdout.Snapshot().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{id} queued", lines[0]);
        Assert.Equal(["--- attempt 1 runtime ---", "[info] working"], lines[1..3]);
        Assert.StartsWith($"Job {id} ended cancelled", stderr.Snapshot(), StringComparison.Ordinal);
    }

    [Fact] // JOB-6, JOB-4: a job that succeeds prints its stdout and exits 0
    public async Task Submit_wait_exits_0_with_the_output_of_a_job_that_succeeds()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);
        var environment = new Dictionary<string, string?> { ["BULWARK_URL"] = server.Http.BaseAddress!.ToString(), ["BULWARK_API_KEY"] = key };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await CliApp.RunAsync(["submit", "demo.echo", "--input", "name=world", "--wait"], stdout, stderr, environment, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, $"{stdout} {stderr}");
        Assert.EndsWith(" queued\n--- attempt 1 stdout ---\nhello world\n", stdout.ToString(), StringComparison.Ordinal);
        Assert.Empty(stderr.ToString());
    }
}
