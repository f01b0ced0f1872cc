using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox.Tests;

/// <summary>BOX-2 and BOX-4: how runs end, and that nothing of them is left when they have.</summary>
public sealed class BubblewrapSandboxTerminationTests : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);
    private readonly TestSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    /// <summary>The daemon's own argv, so the wait does not match the launcher, whose argv carries the script.</summary>
    private static string[] Daemon(string marker) => ["sh", "-c", "while :; do sleep 1; done; :", $"{marker}-daemon"];

    [Fact]
    public async Task RunAsync_kills_the_job_with_timeout_when_it_outlives_timeout_seconds()
    {
        var marker = TestSandbox.NewMarker();
        var limits = TestSandbox.QuickLimits with { TimeoutSeconds = 2 };

        var result = await _sandbox.RunShellAsync("echo started; sleep 1000; echo never", limits, marker: marker);

        Assert.Equal(SandboxTermination.Timeout, result.Termination);
        Assert.Null(result.ExitCode);
        Assert.Equal("started\n", result.Stdout);
        Assert.InRange(result.Duration, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(8));
        Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
        Assert.Empty(_sandbox.Leftovers());
    }

    [Fact]
    public async Task RunAsync_leaves_no_daemon_behind_when_the_job_double_forks_and_exits()
    {
        var marker = TestSandbox.NewMarker();
        // `; :` keeps the daemon shell from exec'ing sleep, so the marker stays in a live cmdline.
        var script = $"""
            setsid sh -c 'while :; do sleep 1; done; :' {marker}-daemon </dev/null >/dev/null 2>&1 &
            sleep 0.3
            grep -l {marker}-daemon /proc/[0-9]*/cmdline 2>/dev/null | grep -v self | wc -l
            """;

        var result = await _sandbox.RunShellAsync(script);

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        // The daemon did run inside the sandbox…
        Assert.NotEqual("0", result.Stdout.Trim());
        // …and died with the PID namespace when the job's main process ended (BOX-4).
        Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
    }

    [Fact]
    public async Task RunAsync_leaves_no_daemon_behind_when_a_job_with_a_daemon_times_out()
    {
        var marker = TestSandbox.NewMarker();
        var limits = TestSandbox.QuickLimits with { TimeoutSeconds = 2 };
        var script = $"""
            setsid sh -c 'while :; do sleep 1; done; :' {marker}-daemon </dev/null >/dev/null 2>&1 &
            sleep 1000
            """;

        var run = _sandbox.RunShellAsync(script, limits, marker: marker);
        var daemonSeen = await HostProcesses.WaitForArgumentsAsync(Daemon(marker), Settle);
        var result = await run;

        Assert.NotEmpty(daemonSeen);
        Assert.Equal(SandboxTermination.Timeout, result.Termination);
        Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
    }

    [Fact]
    public async Task RunAsync_returns_cancelled_and_kills_everything_when_the_token_is_cancelled()
    {
        var marker = TestSandbox.NewMarker();
        using var cts = new CancellationTokenSource();
        var script = $"""
            setsid sh -c 'while :; do sleep 1; done; :' {marker}-daemon </dev/null >/dev/null 2>&1 &
            echo running; sleep 1000
            """;

        var run = _sandbox.RunShellAsync(script, marker: marker, ct: cts.Token);
        var daemonSeen = await HostProcesses.WaitForArgumentsAsync(Daemon(marker), Settle);
        await cts.CancelAsync();
        var result = await run;

        Assert.NotEmpty(daemonSeen);
        Assert.Equal(SandboxTermination.Cancelled, result.Termination);
        Assert.Null(result.ExitCode);
        Assert.Equal("running\n", result.Stdout);
        Assert.True(result.Duration < TimeSpan.FromSeconds(8), $"took {result.Duration}");
        Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
        Assert.Empty(_sandbox.Leftovers());
    }

    [Fact]
    public async Task RunAsync_starts_nothing_and_returns_cancelled_when_the_token_is_already_cancelled()
    {
        var marker = TestSandbox.NewMarker();
        _ = _sandbox.Sandbox.Health; // probe first, so only the run itself is under test

        var result = await _sandbox.RunShellAsync("echo ran", marker: marker, ct: new CancellationToken(canceled: true));

        Assert.Equal(SandboxTermination.Cancelled, result.Termination);
        Assert.Equal("", result.Stdout);
        Assert.Empty(_sandbox.Leftovers());
    }

    [Fact]
    public async Task RunAsync_kills_the_job_with_output_limit_when_it_floods_stdout()
    {
        var marker = TestSandbox.NewMarker();
        var limits = TestSandbox.QuickLimits with { OutputKb = 16 };

        var result = await _sandbox.RunShellAsync("yes", limits, marker: marker);

        Assert.Equal(SandboxTermination.OutputLimit, result.Termination);
        Assert.Null(result.ExitCode);
        Assert.True(result.Stdout.Length + result.Stderr.Length <= 16 * 1024);
        // What was captured up to the cap is kept.
        Assert.Equal(16 * 1024, result.Stdout.Length);
        Assert.StartsWith("y\ny\n", result.Stdout, StringComparison.Ordinal);
        Assert.True(result.Duration < TimeSpan.FromSeconds(5), $"took {result.Duration}");
        Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
    }

    [Fact]
    public async Task RunAsync_counts_stdout_and_stderr_together_when_both_are_written()
    {
        var limits = TestSandbox.QuickLimits with { OutputKb = 16 };

        var result = await _sandbox.RunShellAsync("head -c 10000 /dev/zero | tr '\\0' a; head -c 10000 /dev/zero | tr '\\0' b >&2; sleep 1000", limits);

        Assert.Equal(SandboxTermination.OutputLimit, result.Termination);
        Assert.Equal(16 * 1024, result.Stdout.Length + result.Stderr.Length);
    }

    [Fact]
    public async Task RunAsync_keeps_output_exactly_at_the_cap_when_the_job_stays_within_it()
    {
        var limits = TestSandbox.QuickLimits with { OutputKb = 16 };

        var result = await _sandbox.RunShellAsync("head -c 16384 /dev/zero | tr '\\0' a", limits);

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(16384, result.Stdout.Length);
    }
}
