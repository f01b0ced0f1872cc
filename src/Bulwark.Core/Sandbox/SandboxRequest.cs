using Bulwark.Core.Templates;

namespace Bulwark.Core.Sandbox;

/// <summary>One run. <see cref="Environment"/> is all the job sees: nothing of the server's leaks in.</summary>
public sealed record SandboxRequest
{
    /// <summary>Names the run's work dir and appears in logs, e.g. <c>job_…-1</c>.</summary>
    public required string RunId { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public string Stdin { get; init; } = "";
    public required ResourceLimits Limits { get; init; }
}
