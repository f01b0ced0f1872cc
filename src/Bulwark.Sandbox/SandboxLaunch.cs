namespace Bulwark.Sandbox;

/// <summary>
/// What starts one run: <see cref="Argv"/> is the host command line (visible to every local
/// user in <c>ps</c>); <see cref="PrivateFile"/> goes through a root-only file on fd 3 instead,
/// because it carries the job's environment and with it its secrets (SEC-2). Under bwrap it is
/// <see cref="PrivateArgs"/>, NUL-separated, read by <c>bwrap --args 3</c>.
/// </summary>
internal sealed record SandboxLaunch(IReadOnlyList<string> Argv, IReadOnlyList<string> PrivateArgs, byte[] PrivateFile);
