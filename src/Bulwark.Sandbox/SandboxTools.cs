namespace Bulwark.Sandbox;

/// <summary>Absolute paths of the host programs that set a run up, resolved once.</summary>
internal sealed record SandboxTools(string Shell, string Setpriv, string Prlimit, string Timeout, string Bwrap);
