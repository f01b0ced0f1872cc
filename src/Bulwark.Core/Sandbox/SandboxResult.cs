namespace Bulwark.Core.Sandbox;

public sealed record SandboxResult
{
    public required SandboxTermination Termination { get; init; }
    /// <summary>Exit status when <see cref="Termination"/> is Exited.</summary>
    public int? ExitCode { get; init; }
    public required string Stdout { get; init; }
    public required string Stderr { get; init; }
    public required TimeSpan Duration { get; init; }
}

/// <summary>Why a run ended. Limit kills carry the reason users read (BOX-2).</summary>
public enum SandboxTermination
{
    Exited,
    Timeout,
    Cancelled,
    OutputLimit,
    /// <summary>Killed for exceeding <c>memory_mb</c> (a cgroup OOM kill). Without cgroups the address-space rlimit only makes allocations fail, and the run ends however the program handles that.</summary>
    MemoryLimit,
    /// <summary>Killed for exceeding <c>cpu_seconds</c> (SIGXCPU/SIGKILL of RLIMIT_CPU, or the cgroup's CPU account).</summary>
    CpuLimit,
    /// <summary>Killed because the run hit <c>max_processes</c> (cgroup <c>pids.max</c> reached).</summary>
    ProcessLimit,
    /// <summary>Killed by SIGXFSZ: a file grew past the file-size limit.</summary>
    FileSizeLimit,
}

public static class SandboxTerminationNames
{
    public static string ToName(this SandboxTermination t) => t switch
    {
        SandboxTermination.Exited => "exited",
        SandboxTermination.Timeout => "timeout",
        SandboxTermination.Cancelled => "cancelled",
        SandboxTermination.OutputLimit => "output_limit",
        SandboxTermination.MemoryLimit => "memory_limit",
        SandboxTermination.CpuLimit => "cpu_limit",
        SandboxTermination.ProcessLimit => "process_limit",
        SandboxTermination.FileSizeLimit => "file_size_limit",
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, null),
    };
}
