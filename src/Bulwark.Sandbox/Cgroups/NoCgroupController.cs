using Bulwark.Core.Templates;

namespace Bulwark.Sandbox.Cgroups;

/// <summary>
/// No usable cgroup on this host: rlimits only. Memory is then bounded per process by RLIMIT_AS
/// (an allocation over it fails, the program decides what happens next, nothing is killed), and
/// process count by RLIMIT_NPROC, which is shared by every run of the host uid.
/// </summary>
internal sealed class NoCgroupController(string why) : CgroupController
{
    public override string Description => why.Length == 0 ? "rlimits only" : $"rlimits only ({why})";

    public override bool EnforcesMemory => false;

    public override bool EnforcesProcesses => false;

    public override IReadOnlyList<string> BaseDirectories => [];

    public override bool AccountsCpu => false;

    public override RunCgroup? Create(string runName, ResourceLimits limits) => null;
}
