using System.Globalization;

namespace Bulwark.Sandbox.Tests;

/// <summary>Looks at the host's /proc from outside the sandbox, the way an operator would.</summary>
internal static class HostProcesses
{
    /// <summary>Live (non-zombie) host pids whose command line contains <paramref name="needle"/>.</summary>
    public static IReadOnlyList<int> WithCommandLineContaining(string needle) =>
        Matching(cmdline => cmdline.Contains(needle, StringComparison.Ordinal));

    /// <summary>Live host pids whose argv is exactly <paramref name="argv"/> (the job itself, not the launcher).</summary>
    public static IReadOnlyList<int> WithArguments(IReadOnlyList<string> argv)
    {
        var expected = string.Join('\0', argv) + "\0";
        return Matching(cmdline => cmdline == expected);
    }

    private static IReadOnlyList<int> Matching(Func<string, bool> predicate, bool includeZombies = false)
    {
        var self = Environment.ProcessId;
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (predicate(cmdline) && (includeZombies || !IsZombie(dir)))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public static Task<IReadOnlyList<int>> WaitForCommandLineContainingAsync(string needle, TimeSpan limit) =>
        WaitForAsync(() => WithCommandLineContaining(needle), limit);

    public static Task<IReadOnlyList<int>> WaitForArgumentsAsync(IReadOnlyList<string> argv, TimeSpan limit) =>
        WaitForAsync(() => WithArguments(argv), limit);

    private static async Task<IReadOnlyList<int>> WaitForAsync(Func<IReadOnlyList<int>> find, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var pids = find();
            if (pids.Count > 0)
            {
                return pids;
            }

            await Task.Delay(20);
        }

        return [];
    }

    /// <summary>
    /// Waits until no zombie of <paramref name="uid"/> is left. bwrap's outer process exits without
    /// reaping its PID-namespace init, so each run leaves one zombie for the host's pid 1 to reap,
    /// and until it does, that zombie counts against the uid's RLIMIT_NPROC.
    /// </summary>
    public static async Task WaitForNoZombiesOfUidAsync(int uid, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var uidLine = $"Uid:\t{uid}\t";
        while (DateTime.UtcNow < deadline)
        {
            var zombies = Matching(_ => true, includeZombies: true).Count(pid =>
            {
                try
                {
                    var status = File.ReadAllText($"/proc/{pid}/status");
                    return status.Contains(uidLine, StringComparison.Ordinal) && status.Contains("State:\tZ", StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
            });
            if (zombies == 0)
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The real, effective, saved and fs uids of a host pid, from its status file.</summary>
    public static string? UidLine(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsZombie(string procDir)
    {
        var stat = File.ReadAllText(Path.Combine(procDir, "stat"));
        var close = stat.LastIndexOf(')');
        return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
    }
}
