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
}

public static class SandboxTerminationNames
{
    public static string ToName(this SandboxTermination t) => t switch
    {
        SandboxTermination.Exited => "exited",
        SandboxTermination.Timeout => "timeout",
        SandboxTermination.Cancelled => "cancelled",
        SandboxTermination.OutputLimit => "output_limit",
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, null),
    };
}
