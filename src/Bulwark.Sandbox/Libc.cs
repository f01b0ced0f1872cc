using System.Runtime.InteropServices;

namespace Bulwark.Sandbox;

/// <summary>The two libc calls .NET does not offer: changing a file's owner, and signalling a pid.</summary>
internal static partial class Libc
{
    public const int SIGKILL = 9;

    /// <summary>lchown: never follows a symlink, so a planted link cannot redirect the chown.</summary>
    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LChown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
