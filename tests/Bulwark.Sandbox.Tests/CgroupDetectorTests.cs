using Bulwark.Sandbox.Cgroups;

namespace Bulwark.Sandbox.Tests;

/// <summary>BOX-2: which cgroup mode a host gets, read from its mountinfo and our own cgroup paths.</summary>
public sealed class CgroupDetectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-cg-detect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CgroupController Detect(string mountInfo, string ownCgroup)
    {
        var mounts = Path.Combine(_dir, "mountinfo");
        var own = Path.Combine(_dir, "cgroup");
        File.WriteAllText(mounts, mountInfo);
        File.WriteAllText(own, ownCgroup);
        return CgroupDetector.Detect(mounts, own);
    }

    [Fact]
    public void Detect_falls_back_to_rlimits_only_when_no_cgroup_is_mounted()
    {
        var controller = Detect("22 1 0:5 / /proc rw - proc proc rw\n", "0::/\n");

        Assert.IsType<NoCgroupController>(controller);
        Assert.StartsWith("rlimits only", controller.Description, StringComparison.Ordinal);
        Assert.Null(controller.Create("run-1", TestSandbox.QuickLimits));
        Assert.Empty(controller.BaseDirectories);
    }

    [Fact]
    public void Detect_uses_v1_under_our_own_cgroup_in_each_hierarchy_when_v1_controllers_are_writable()
    {
        // Plain directories stand in for the hierarchies: the paths are what is under test.
        var memory = Path.Combine(_dir, "memory");
        var pids = Path.Combine(_dir, "pids");
        Directory.CreateDirectory(Path.Combine(memory, "svc", "a b"));
        Directory.CreateDirectory(pids);
        var controller = Detect(
            $"""
            35 31 0:32 / {memory} rw,relatime - cgroup cgroup rw,memory
            39 31 0:36 / {pids} rw,relatime - cgroup cgroup rw,pids
            41 31 0:38 / {_dir}/unified rw,relatime - cgroup2 cgroup2 rw

            """,
            "8:pids:/\n4:memory:/svc/a b\n0::/\n");

        Assert.IsType<CgroupV1Controller>(controller);
        Assert.Equal("cgroup v1 (memory, pids)", controller.Description);
        Assert.True(controller.EnforcesMemory && controller.EnforcesProcesses);
        Assert.False(controller.AccountsCpu);
        Assert.Equal([Path.Combine(memory, "svc", "a b", "bulwark"), Path.Combine(pids, "bulwark")], controller.BaseDirectories);
    }

    [Fact]
    public void Detect_reports_the_v2_problem_when_the_unified_hierarchy_lacks_memory_and_pids()
    {
        var unified = Path.Combine(_dir, "unified");
        Directory.CreateDirectory(unified);
        File.WriteAllText(Path.Combine(unified, "cgroup.controllers"), "hugetlb\n");

        var controller = Detect($"41 31 0:38 / {unified} rw,relatime - cgroup2 cgroup2 rw\n", "0::/\n");

        Assert.IsType<NoCgroupController>(controller);
    }
}
