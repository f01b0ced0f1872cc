namespace Bulwark.Sandbox;

/// <summary>
/// What starts one run: <see cref="Argv"/> is the host command line (visible to every local
/// user in <c>ps</c>), <see cref="PrivateArgs"/> are bwrap options passed through a root-only
/// file on fd 3 instead, because they carry the job's environment and with it its secrets (SEC-2).
/// </summary>
internal sealed record SandboxLaunch(IReadOnlyList<string> Argv, IReadOnlyList<string> PrivateArgs);
