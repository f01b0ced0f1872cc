namespace Bulwark.Sandbox;

/// <summary>Resolves a program name to an absolute path the way execvp would, but once and up front.</summary>
internal static class ExecutableLocator
{
    /// <summary>The absolute path of <paramref name="name"/>, or null when it is not an executable file.</summary>
    public static string? Find(string name, string? searchPath)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        if (name.Contains('/'))
        {
            var full = Path.GetFullPath(name);
            return IsExecutableFile(full) ? full : null;
        }

        foreach (var dir in (searchPath ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            // A relative PATH entry would make the result depend on the server's cwd.
            if (!Path.IsPathRooted(dir))
            {
                continue;
            }

            var candidate = Path.Combine(dir, name);
            if (IsExecutableFile(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return false;
            }

            const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            return (info.UnixFileMode & anyExecute) != 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
