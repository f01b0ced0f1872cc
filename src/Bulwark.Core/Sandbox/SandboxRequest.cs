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

    /// <summary>
    /// Host path of the runtime API's Unix socket (BOX-3), or null for none. The sandbox mounts it
    /// at <see cref="RuntimeSocketInside"/> and sets <c>BULWARK_RUNTIME_SOCKET</c> to that path.
    /// </summary>
    public string? RuntimeSocket { get; init; }

    /// <summary>
    /// Where the output goes while the run is under way (JOB-6), or null for none: then the
    /// output is only in the result, as a whole, at the end.
    /// </summary>
    public IOutputSink? OutputSink { get; init; }

    public const string RuntimeSocketInside = "/run/bulwark/runtime.sock";
}
