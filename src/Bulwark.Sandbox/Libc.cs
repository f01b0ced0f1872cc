using System.Runtime.InteropServices;

namespace Bulwark.Sandbox;

/// <summary>The libc calls .NET does not offer: changing a file's owner, signalling a pid, descriptor flags.</summary>
internal static partial class Libc
{
    public const int SIGKILL = 9;
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;
    public const int CLOSE_RANGE_CLOEXEC = 4;

    /// <summary>lchown: never follows a symlink, so a planted link cannot redirect the chown.</summary>
    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LChown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>close_range(2) (Linux 5.11, glibc 2.34): with CLOSE_RANGE_CLOEXEC, marks a whole range in one call.</summary>
    [LibraryImport("libc", EntryPoint = "close_range", SetLastError = true)]
    public static partial int CloseRange(uint first, uint last, int flags);

    /// <summary>fcntl is variadic in C; called with int arguments only, which every Linux ABI passes as for a fixed signature.</summary>
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);
}
