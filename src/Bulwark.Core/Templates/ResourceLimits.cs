namespace Bulwark.Core.Templates;

/// <summary>Per-run limits (BOX-2). Defaults are those of API.md's template example.</summary>
public sealed record ResourceLimits
{
    public int MemoryMb { get; init; } = 256;
    public int CpuSeconds { get; init; } = 10;
    public int TimeoutSeconds { get; init; } = 30;
    public int MaxProcesses { get; init; } = 64;
    public int TmpMb { get; init; } = 64;
    public int OutputKb { get; init; } = 1024;

    public static ResourceLimits Default { get; } = new();
}
