using Bulwark.Core.Templates;

namespace Bulwark.Sandbox.Cgroups;

/// <summary>
/// Per-run cgroups where the host lets us create them (BOX-2): a memory ceiling the whole tree
/// shares (rlimits are per process, so ten 100 MB children slip past RLIMIT_AS), a pids.max of
/// the run's own (RLIMIT_NPROC counts every process of the host uid, so concurrent runs starve
/// each other and a fork bomb in one run blocks all others), CPU accounted across the tree, and
/// a handle that finds every process of the run, however it detached itself (BOX-4).
/// Detected once at start by <see cref="CgroupDetector"/>.
/// </summary>
internal abstract class CgroupController
{
    /// <summary>
    /// Processes of the launch chain that live in the run's cgroup besides the job itself:
    /// <c>timeout</c>, bwrap and bwrap's PID-namespace init. pids.max adds them so
    /// <c>max_processes</c> means the job's own processes.
    /// </summary>
    public const int SetupProcesses = 3;

    /// <summary>How limits are enforced, for <c>SandboxHealth.Limits</c> (e.g. <c>cgroup v1 (memory, pids, cpuacct)</c>).</summary>
    public abstract string Description { get; }

    /// <summary>Whether a memory ceiling for the whole tree is enforced (otherwise only RLIMIT_AS).</summary>
    public abstract bool EnforcesMemory { get; }

    /// <summary>Whether pids.max is enforced per run (otherwise only the shared-uid RLIMIT_NPROC).</summary>
    public abstract bool EnforcesProcesses { get; }

    /// <summary>The <c>bulwark</c> directories run cgroups are made in (one per hierarchy), to check nothing is left there.</summary>
    public abstract IReadOnlyList<string> BaseDirectories { get; }

    /// <summary>Whether the whole tree's CPU time is accounted (so cpu_seconds holds across processes).</summary>
    public abstract bool AccountsCpu { get; }

    /// <summary>Creates the run's cgroup with its limits set, or null when this host has none.</summary>
    /// <exception cref="IOException">The host refused (the caller refuses the run).</exception>
    public abstract RunCgroup? Create(string runName, ResourceLimits limits);
}
