namespace Bulwark.Core.Sandbox;

/// <summary>Runs untrusted code confined (BOX-1..5). Implemented by Bulwark.Sandbox.</summary>
public interface ISandbox
{
    /// <summary>Whether script jobs can run here, and if not, why (BOX-5, <c>/readyz</c>).</summary>
    SandboxHealth Health { get; }

    /// <summary>
    /// Runs the command to completion, a limit, the timeout or cancellation of
    /// <paramref name="ct"/>. Never throws for the run's own failures: they are in the result.
    /// Throws <see cref="Errors.UnavailableException"/> (code <c>sandbox_unavailable</c>) when
    /// the sandbox cannot be set up on this host.
    /// </summary>
    Task<SandboxResult> RunAsync(SandboxRequest request, CancellationToken ct);
}

/// <param name="Mode"><c>bwrap</c>, or <c>none</c> (unconfined, development only).</param>
/// <param name="Limits">How limits are enforced, e.g. <c>cgroup v2</c>, <c>cgroup v1 (memory, pids, cpuacct)</c>, <c>rlimits only</c>.</param>
public sealed record SandboxHealth(bool Usable, string Mode, string Detail)
{
    public string Limits { get; init; } = "rlimits only";
}
