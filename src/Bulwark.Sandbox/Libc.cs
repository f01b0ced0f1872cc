using System.Runtime.InteropServices;

namespace Bulwark.Sandbox;

/// <summary>The libc calls .NET does not offer: changing a file's owner, signalling a pid, fd flags.</summary>
internal static partial class Libc
{
    public const int SIGKILL = 9;
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;

    /// <summary>lchown: never follows a symlink, so a planted link cannot redirect the chown.</summary>
    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LChown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);
}
