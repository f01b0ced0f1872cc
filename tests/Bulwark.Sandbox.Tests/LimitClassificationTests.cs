using Bulwark.Core.Sandbox;
using Bulwark.Sandbox.Cgroups;

namespace Bulwark.Sandbox.Tests;

/// <summary>BOX-2: how a finished run's exit status and cgroup counters become the reason users read.</summary>
public sealed class LimitClassificationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-cg-fake-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A v1-shaped run cgroup made of plain files with the given counters.</summary>
    private RunCgroup Fake(long oomKills = 0, long pidsMax = 0, long cpuNs = 0)
    {
        File.WriteAllText(Path.Combine(_dir, "memory.oom_control"), $"oom_kill_disable 0\nunder_oom 0\noom_kill {oomKills}\n");
        File.WriteAllText(Path.Combine(_dir, "pids.events"), $"max {pidsMax}\n");
        File.WriteAllText(Path.Combine(_dir, "cpuacct.usage"), $"{cpuNs}\n");
        return new RunCgroup
        {
            Directories = [_dir],
            MemoryEventsFile = Path.Combine(_dir, "memory.oom_control"),
            PidsEventsFile = Path.Combine(_dir, "pids.events"),
            CpuUsageFile = Path.Combine(_dir, "cpuacct.usage"),
        };
    }

    [Theory]
    [InlineData(152, SandboxTermination.CpuLimit)]
    [InlineData(153, SandboxTermination.FileSizeLimit)]
    [InlineData(137, null)]
    [InlineData(0, null)]
    [InlineData(1, null)]
    public void LimitFromExit_names_the_rlimit_signal_when_there_is_no_cgroup(int exitCode, SandboxTermination? expected)
    {
        Assert.Equal(expected, RunHost.LimitFromExit(exitCode, cgroup: null, cpuSeconds: 5));
    }

    [Fact]
    public void LimitFromExit_reports_memory_limit_when_the_cgroup_counted_an_oom_kill()
    {
        Assert.Equal(SandboxTermination.MemoryLimit, RunHost.LimitFromExit(137, Fake(oomKills: 1), 5));
        // oom_kill_disable is not the oom_kill counter.
        Assert.Null(RunHost.LimitFromExit(137, Fake(oomKills: 0), 5));
    }

    [Fact]
    public void LimitFromExit_reports_process_limit_when_pids_max_refused_a_fork()
    {
        Assert.Equal(SandboxTermination.ProcessLimit, RunHost.LimitFromExit(0, Fake(pidsMax: 3), 5));
    }

    [Fact]
    public void LimitFromExit_believes_sigxcpu_only_when_the_cgroup_account_agrees()
    {
        // RLIMIT_CPU counts ticks, the cgroup nanoseconds: under load they part, so half the budget confirms it.
        Assert.Equal(SandboxTermination.CpuLimit, RunHost.LimitFromExit(152, Fake(cpuNs: 4_700_000_000), 5));
        Assert.Equal(SandboxTermination.CpuLimit, RunHost.LimitFromExit(152, Fake(cpuNs: 2_600_000_000), 5));
        Assert.Null(RunHost.LimitFromExit(152, Fake(cpuNs: 2_400_000_000), 5));
        Assert.Equal(SandboxTermination.CpuLimit, RunHost.LimitFromExit(0, Fake(cpuNs: 5_000_000_000), 5));
        // A job that merely exits 152 after a few milliseconds of CPU did not hit the limit.
        Assert.Null(RunHost.LimitFromExit(152, Fake(cpuNs: 3_000_000), 5));
    }

    [Fact]
    public void LimitHit_names_the_first_limit_over_when_polled()
    {
        Assert.Null(Fake().LimitHit(1_000_000_000));
        Assert.Equal(SandboxTermination.ProcessLimit, Fake(pidsMax: 1).LimitHit(1_000_000_000));
        Assert.Equal(SandboxTermination.CpuLimit, Fake(cpuNs: 2_000_000_000).LimitHit(1_000_000_000));
        Assert.Equal(SandboxTermination.MemoryLimit, Fake(oomKills: 1, pidsMax: 1).LimitHit(1_000_000_000));
    }
}
