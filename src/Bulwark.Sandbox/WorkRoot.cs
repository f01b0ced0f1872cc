using System.Runtime.Versioning;

namespace Bulwark.Sandbox;

/// <summary>The directory that holds one private work dir per run, checked once at start.</summary>
internal static class WorkRoot
{
    /// <summary>Creates the work root when missing and checks nobody but root can plant things in it; the problem, or null.</summary>
    [SupportedOSPlatform("linux")]
    public static string? Prepare(string workRoot)
    {
        try
        {
            var info = new DirectoryInfo(workRoot);
            if (info.Exists && info.LinkTarget is not null)
            {
                return $"The work root {workRoot} is a symlink; point WorkRoot at a real directory.";
            }

            // 0711: uid 65534 must traverse it for bwrap to bind its run dir, but must not list it.
            const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if (!info.Exists)
            {
                Directory.CreateDirectory(workRoot, mode);
            }

            // Group/other write would let another user swap a run dir for a symlink between our
            // mkdir and bwrap's bind.
            if ((File.GetUnixFileMode(workRoot) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            {
                return $"The work root {workRoot} is writable by group or others; make it root-owned with mode 0711.";
            }

            RemoveStalePrivateFiles(workRoot);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"The work root {workRoot} cannot be used: {e.Message}";
        }
    }

    /// <summary>
    /// Private args (the job's environment, its secrets) and seccomp files live until their run
    /// ends; a server that died mid-run leaves them. They go at the next start (SEC-1, BOX-4).
    /// </summary>
    private static void RemoveStalePrivateFiles(string workRoot)
    {
        foreach (var pattern in new[] { ".*.args", "seccomp-*.bpf" })
        {
            foreach (var file in Directory.EnumerateFiles(workRoot, pattern))
            {
                File.Delete(file);
            }
        }
    }
}
