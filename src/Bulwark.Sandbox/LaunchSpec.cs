using Bulwark.Core.Templates;

namespace Bulwark.Sandbox;

/// <summary>Everything one run's command line is built from.</summary>
internal sealed record LaunchSpec
{
    public required ResourceLimits Limits { get; init; }

    /// <summary>Host path of the run's work dir (<c>/work</c> inside bwrap).</summary>
    public required string WorkDir { get; init; }

    /// <summary>Root-only file the launcher opens on fd 3 and unlinks (<see cref="SandboxLaunch.PrivateFile"/>).</summary>
    public required string PrivateFile { get; init; }

    /// <summary>Root-only file with the seccomp BPF program, opened on fd 4 for <c>bwrap --seccomp 4</c>.</summary>
    public string? SeccompFile { get; init; }

    /// <summary><c>cgroup.procs</c> of every hierarchy of the run's cgroup: the launcher enters them before anything runs.</summary>
    public IReadOnlyList<string> CgroupProcsFiles { get; init; } = [];

    /// <summary>A cgroup enforces memory for the whole tree, so RLIMIT_AS is only a loose backstop.</summary>
    public bool CgroupMemory { get; init; }

    /// <summary>A cgroup enforces pids.max for this run, so RLIMIT_NPROC is only a loose backstop.</summary>
    public bool CgroupPids { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>Host path of the runtime API socket (BOX-3), or null.</summary>
    public string? RuntimeSocket { get; init; }
}
