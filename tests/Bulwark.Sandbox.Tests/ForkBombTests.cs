using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox.Tests;

[Collection(ForkBombCollection.Name)]
public sealed class ForkBombTests : IDisposable
{
    private readonly TestSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task RunAsync_contains_a_fork_bomb_and_leaves_nothing_when_max_processes_is_reached()
    {
        var marker = TestSandbox.NewMarker();
        var limits = TestSandbox.QuickLimits with { MaxProcesses = 24, TimeoutSeconds = 3 };
        // Every fork of this shell keeps its cmdline, so all bomb processes carry the marker.
        var script = "bomb() { bomb | bomb & }; bomb; sleep 1000";
        await HostProcesses.WaitForNoZombiesOfUidAsync(65534, TimeSpan.FromSeconds(15));

        var result = await _sandbox.RunShellAsync(script, limits, marker: marker);

        // BOX-2: the bomb hit the process limit and the run still ended on time: at once with a
        // per-run pids.max, else with forks failing under RLIMIT_NPROC until the timeout.
        if (_sandbox.Cgroups.EnforcesProcesses)
        {
            Assert.Equal(SandboxTermination.ProcessLimit, result.Termination);
        }
        else
        {
            Assert.Contains("fork", result.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.True(result.Termination is SandboxTermination.Timeout or SandboxTermination.Exited or SandboxTermination.OutputLimit);
        }

        Assert.True(result.Duration < TimeSpan.FromSeconds(15), $"took {result.Duration}");
        // BOX-4: nothing of it survives on the host.
        Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
        Assert.Empty(_sandbox.Leftovers());
    }

    [Fact]
    public async Task RunAsync_can_start_a_new_job_when_a_fork_bomb_has_just_been_killed()
    {
        var limits = TestSandbox.QuickLimits with { MaxProcesses = 24, TimeoutSeconds = 2 };
        await HostProcesses.WaitForNoZombiesOfUidAsync(65534, TimeSpan.FromSeconds(15));
        await _sandbox.RunShellAsync("bomb() { bomb | bomb & }; bomb; sleep 1000", limits, marker: TestSandbox.NewMarker());

        // The uid's process budget is free again: the teardown really killed the bomb (only bwrap's
        // own init may linger as a zombie until the host's pid 1 reaps it).
        var result = await _sandbox.RunShellAsync("sh -c 'echo child'; echo parent");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal("child\nparent\n", result.Stdout);
    }
}
