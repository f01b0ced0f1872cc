namespace Bulwark.Sandbox;

/// <summary>Absolute paths of the host programs that set a run up, resolved once. No bwrap when unconfined.</summary>
internal sealed record SandboxTools(string Shell, string Setpriv, string Timeout, string? Bwrap);
