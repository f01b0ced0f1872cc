using Bulwark.Core.Errors;
using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox;

/// <summary>What a sandbox's one-time probe found: its health and, when usable, how to run.</summary>
internal sealed record SandboxState(SandboxHealth Health, RunHost? Host, SandboxCommandLine? CommandLine)
{
    public static SandboxState Unusable(SandboxHealth health) => new(health, null, null);

    /// <summary>BOX-5: refuse rather than run untrusted code with weaker (or no) confinement.</summary>
    public (RunHost Host, SandboxCommandLine CommandLine) RequireUsable() =>
        Health.Usable && Host is not null && CommandLine is not null
            ? (Host, CommandLine)
            : throw new UnavailableException(Health.Detail, "sandbox_unavailable");
}
