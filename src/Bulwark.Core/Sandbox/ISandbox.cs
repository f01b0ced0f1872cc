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

public sealed record SandboxHealth(bool Usable, string Mode, string Detail);
