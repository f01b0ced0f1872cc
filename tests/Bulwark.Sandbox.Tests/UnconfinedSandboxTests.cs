using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox.Tests;

/// <summary>
/// BOX-5 development mode: no namespaces, but still the clean environment, the unprivileged uid,
/// rlimits, timeout, output cap, cancellation and (where the host has them) the run's cgroup,
/// through the same code as the bubblewrap sandbox.
/// </summary>
public sealed class UnconfinedSandboxTests : IDisposable
{
    private readonly string _workRoot = Path.Combine(Path.GetTempPath(), $"bulwark-unconfined-test-{Guid.NewGuid():N}");
    private readonly UnconfinedSandbox _sandbox;

    public UnconfinedSandboxTests() => _sandbox = new UnconfinedSandbox(new BubblewrapOptions { WorkRoot = _workRoot });

    public void Dispose()
    {
        if (Directory.Exists(_workRoot))
        {
            Directory.Delete(_workRoot, recursive: true);
        }
    }

    private Task<SandboxResult> RunAsync(
        string script, Core.Templates.ResourceLimits? limits = null, IReadOnlyDictionary<string, string>? env = null,
        string? marker = null, CancellationToken ct = default) =>
        _sandbox.RunAsync(
            new SandboxRequest
            {
                RunId = "dev-run",
                Command = ["/bin/sh", "-c", script, marker ?? "job"],
                Environment = env ?? new Dictionary<string, string>(),
                Limits = limits ?? TestSandbox.QuickLimits,
            },
            ct);

    [Fact]
    public void Health_is_usable_and_says_unconfined_when_built()
    {
        var health = _sandbox.Health;

        Assert.True(health.Usable);
        Assert.Equal("none", health.Mode);
        Assert.Equal("UNCONFINED: jobs run without a sandbox (development only)", health.Detail);
        Assert.Equal(_sandbox.Cgroups!.Description, health.Limits);
    }

    [Fact]
    public async Task RunAsync_runs_as_the_unprivileged_uid_with_only_the_request_environment_when_unconfined()
    {
        var secret = $"BULWARK_DEV_SERVER_SECRET_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(secret, "leak");
        try
        {
            var result = await RunAsync(
                "id -u; id -G; grep NoNewPrivs /proc/self/status; ulimit -n; env | sort",
                env: new Dictionary<string, string> { ["GREETING"] = "it's \"quoted\" $HOME", ["PATH"] = "/evil" });

            Assert.Equal(SandboxTermination.Exited, result.Termination);
            var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["65534", "65534", "NoNewPrivs:\t1", "256"], lines[..4]);
            Assert.Contains("GREETING=it's \"quoted\" $HOME", lines);
            Assert.Contains("PATH=/usr/local/bin:/usr/bin:/bin", lines);
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.All(lines[4..], l => Assert.Matches("^(GREETING|PATH|HOME|TMPDIR|PWD|SHLVL|_|OLDPWD)=", l));
            Assert.Empty(Directory.GetFileSystemEntries(_workRoot));
        }
        finally
        {
            Environment.SetEnvironmentVariable(secret, null);
        }
    }

    [Fact]
    public async Task RunAsync_kills_with_timeout_and_leaves_no_daemon_when_unconfined()
    {
        var marker = TestSandbox.NewMarker();
        var limits = TestSandbox.QuickLimits with { TimeoutSeconds = 1 };

        var result = await RunAsync(
            $"setsid sh -c 'while :; do sleep 1; done; :' {marker}-daemon </dev/null >/dev/null 2>&1 & echo started; sleep 1000",
            limits,
            marker: marker);

        Assert.Equal(SandboxTermination.Timeout, result.Termination);
        Assert.Equal("started\n", result.Stdout);
        if (_sandbox.Cgroups!.BaseDirectories.Count > 0)
        {
            // No PID namespace here: only the run's cgroup finds the setsid daemon again (BOX-4).
            Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
        }
        else
        {
            // Documented: without cgroups a detached daemon outlives an unconfined run.
            foreach (var pid in HostProcesses.WithCommandLineContaining(marker))
            {
                _ = Libc.Kill(pid, Libc.SIGKILL);
            }
        }
    }

    [Fact]
    public async Task RunAsync_caps_output_and_honours_cancellation_when_unconfined()
    {
        var flood = await RunAsync("yes", TestSandbox.QuickLimits with { OutputKb = 8 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var cancelled = await RunAsync("sleep 1000", ct: cts.Token);

        Assert.Equal(SandboxTermination.OutputLimit, flood.Termination);
        Assert.Equal(8 * 1024, flood.Stdout.Length);
        Assert.Equal(SandboxTermination.Cancelled, cancelled.Termination);
        Assert.True(cancelled.Duration < TimeSpan.FromSeconds(5), $"took {cancelled.Duration}");
    }

    [Fact]
    public async Task RunAsync_refuses_an_environment_name_a_shell_cannot_set_when_unconfined()
    {
        var error = await Assert.ThrowsAsync<Core.Errors.InvalidPayloadException>(
            () => RunAsync("true", env: new Dictionary<string, string> { ["NOT-A-NAME"] = "x" }));

        Assert.Equal("invalid_environment", error.Code);
        Assert.Empty(Directory.GetFileSystemEntries(_workRoot));
    }
}
