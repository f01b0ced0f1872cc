using System.Globalization;

namespace Bulwark.Sandbox;

/// <summary>
/// .NET opens its own files close-on-exec, but the server can inherit open descriptors from
/// whatever started it (a shell, a supervisor, a test host). Without close-on-exec they pass
/// through setpriv and bwrap into every job: a pipe, a socket or a file of the host the job
/// could read or write (BOX-1). bwrap does not close them, so they are sealed here.
/// </summary>
internal static class InheritedDescriptors
{
    /// <summary>Marks every descriptor above stderr close-on-exec in this process.</summary>
    public static void SealAll()
    {
        try
        {
            if (Libc.CloseRange(3, uint.MaxValue, Libc.CLOSE_RANGE_CLOEXEC) == 0)
            {
                return;
            }
        }
        catch (EntryPointNotFoundException)
        {
            // glibc older than 2.34: seal one by one below.
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) || fd <= 2)
            {
                continue;
            }

            var flags = Libc.Fcntl(fd, Libc.F_GETFD, 0);
            if (flags >= 0 && (flags & Libc.FD_CLOEXEC) == 0)
            {
                // Fails only for a descriptor closed meanwhile (the enumeration's own, say): nothing to seal then.
                _ = Libc.Fcntl(fd, Libc.F_SETFD, flags | Libc.FD_CLOEXEC);
            }
        }
    }
}
