using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox.Tests;

public sealed class BubblewrapSandboxExecutionTests : IDisposable
{
    private readonly TestSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void Health_is_usable_with_version_and_uid_when_bubblewrap_is_installed()
    {
        var health = _sandbox.Sandbox.Health;

        Assert.True(health.Usable, health.Detail);
        Assert.Equal("bwrap", health.Mode);
        Assert.Matches(@"^bubblewrap \d+\.\d+\.\d+, uid 65534$", health.Detail);
    }

    [Fact]
    public async Task RunAsync_returns_output_and_exit_code_when_the_job_exits()
    {
        var result = await _sandbox.RunShellAsync("echo hello; echo oops >&2; exit 0");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("hello\n", result.Stdout);
        Assert.Equal("oops\n", result.Stderr);
        Assert.True(result.Duration > TimeSpan.Zero);
    }

    [Fact]
    public async Task RunAsync_propagates_the_exit_code_when_the_job_fails()
    {
        var result = await _sandbox.RunShellAsync("exit 42");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal(42, result.ExitCode);
    }

    [Fact]
    public async Task RunAsync_passes_stdin_and_then_closes_it_when_stdin_is_given()
    {
        // `cat` only ends when stdin is closed: the run finishing proves EOF was delivered.
        var result = await _sandbox.RunShellAsync("cat; echo done", stdin: "line one\nzwei ✓\n");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal("line one\nzwei ✓\ndone\n", result.Stdout);
    }

    [Fact]
    public async Task RunAsync_gives_the_job_exactly_the_request_environment_when_variables_are_set()
    {
        var env = new Dictionary<string, string>
        {
            ["GREETING"] = "hello world",
            ["TRICKY"] = "--bind / /host",
            ["PATH"] = "/work/evil",
            ["HOME"] = "/root",
        };

        var result = await _sandbox.RunShellAsync("env | sort", environment: env);

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.Contains("GREETING=hello world", lines);
        Assert.Contains("TRICKY=--bind / /host", lines);
        // The platform's layout values win over the request's (see SandboxCommandLine.PrivateArguments).
        Assert.Contains("PATH=/usr/local/bin:/usr/bin:/bin", lines);
        Assert.Contains("HOME=/work", lines);
        Assert.Contains("TMPDIR=/tmp", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("PATH=/work", StringComparison.Ordinal));
        // Only what we set plus what the shell itself adds (PWD, SHLVL…).
        Assert.All(lines, l => Assert.Matches("^(GREETING|TRICKY|PATH|HOME|TMPDIR|PWD|SHLVL|_|OLDPWD)=", l));
    }

    [Fact]
    public async Task RunAsync_does_not_leak_the_server_environment_when_the_server_has_variables()
    {
        var name = $"BULWARK_TEST_SECRET_{Guid.NewGuid():N}";
        var value = $"server-secret-{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            var result = await _sandbox.RunShellAsync("env; cat /proc/self/environ");

            Assert.Equal(SandboxTermination.Exited, result.Termination);
            Assert.DoesNotContain(name, result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(value, result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task RunAsync_keeps_job_environment_values_off_host_command_lines_when_a_secret_is_injected()
    {
        // SEC-2 secrets arrive as environment variables; any host user can read every command
        // line in /proc, so they must not appear in bwrap's argv.
        var secret = $"job-secret-{Guid.NewGuid():N}";
        var marker = TestSandbox.NewMarker();
        using var cts = new CancellationTokenSource();
        var run = _sandbox.RunShellAsync(
            "while :; do sleep 0.1; done",
            environment: new Dictionary<string, string> { ["API_TOKEN"] = secret },
            marker: marker,
            ct: cts.Token);

        var job = await HostProcesses.WaitForCommandLineContainingAsync(marker, TimeSpan.FromSeconds(5));
        var exposed = HostProcesses.WithCommandLineContaining(secret);
        await cts.CancelAsync();
        var result = await run;

        Assert.NotEmpty(job);
        Assert.Empty(exposed);
        Assert.Equal(SandboxTermination.Cancelled, result.Termination);
    }

    [Fact]
    public async Task RunAsync_lets_the_job_write_in_work_and_removes_the_work_dir_when_the_run_ends()
    {
        var result = await _sandbox.RunShellAsync(
            "pwd; echo data > /work/out.txt && mkdir -p /work/d/e && chmod 000 /work/d && cat /work/out.txt && ls -ld /work");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("/work\ndata\n", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"^drwx------ \d+ nobody nogroup ", result.Stdout.Split('\n')[2]);
        // BOX-4: neither the run dir nor its private args file survives.
        Assert.Empty(_sandbox.Leftovers());
    }

    [Fact]
    public async Task RunAsync_replaces_invalid_utf8_when_the_job_prints_raw_bytes()
    {
        var result = await _sandbox.RunShellAsync(@"printf 'ok \377\376 end'");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.StartsWith("ok ", result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith(" end", result.Stdout, StringComparison.Ordinal);
        Assert.Contains('\uFFFD', result.Stdout);
    }
}
