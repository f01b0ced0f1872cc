namespace Bulwark.Sandbox.Tests.Seccomp;

/// <summary>What one probed syscall did: its return value and errno, or the signal that killed its caller.</summary>
internal sealed record SyscallOutcome(long Return, int Errno, int? KilledBySignal)
{
    public const int Eperm = 1;
    public const int Enosys = 38;
    public const int Sigsys = 31;

    public bool RefusedWithEperm => KilledBySignal is null && Return == -1 && Errno == Eperm;

    public override string ToString() =>
        KilledBySignal is { } signal ? $"killed by signal {signal}" : $"returned {Return}, errno {Errno}";
}
