namespace Bulwark.Sandbox;

/// <summary>
/// One top-level runtime path of the host (<c>/bin</c>, <c>/lib</c>…) as the sandbox must show
/// it: a symlink with the host's target on merged-/usr hosts, otherwise a read-only directory.
/// </summary>
internal sealed record RootEntry(string Path, string? SymlinkTarget);
