using System.Globalization;

namespace Bulwark.Sandbox.Tests;

/// <summary>Looks at the host's /proc from outside the sandbox, the way an operator would.</summary>
internal static class HostProcesses
{
    /// <summary>Live (non-zombie) host pids whose command line contains <paramref name="needle"/>.</summary>
    public static IReadOnlyList<int> WithCommandLineContaining(string needle)
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
                if (cmdline.Contains(needle, StringComparison.Ordinal) && !IsZombie(dir))
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

    public static async Task<IReadOnlyList<int>> WaitForCommandLineContainingAsync(string needle, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var pids = WithCommandLineContaining(needle);
            if (pids.Count > 0)
            {
                return pids;
            }

            await Task.Delay(20);
        }

        return [];
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
