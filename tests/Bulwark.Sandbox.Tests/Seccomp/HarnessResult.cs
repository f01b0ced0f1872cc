namespace Bulwark.Sandbox.Tests.Seccomp;

internal sealed record HarnessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
