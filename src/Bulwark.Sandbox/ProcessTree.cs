using System.Globalization;

namespace Bulwark.Sandbox;

/// <summary>Reads the host's process tree from /proc, to prove a run left nothing behind (BOX-4).</summary>
internal static class ProcessTree
{
    /// <summary>All descendants of <paramref name="rootPid"/> (host pids), found by parent links.</summary>
    public static IReadOnlyList<int> Descendants(int rootPid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ReadStat(pid) is { } stat)
            {
                parents[pid] = stat.ParentPid;
            }
        }

        var result = new List<int>();
        var frontier = new Queue<int>();
        frontier.Enqueue(rootPid);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var (pid, ppid) in parents)
            {
                if (ppid == parent && !result.Contains(pid))
                {
                    result.Add(pid);
                    frontier.Enqueue(pid);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Waits until every pid is gone or a zombie. A PID namespace's init only becomes a zombie
    /// after the kernel has killed and reaped everything else in its namespace, so once bwrap's
    /// init is here, nothing of the job runs any more.
    /// </summary>
    public static async Task<bool> WaitUntilGoneAsync(IReadOnlyList<int> pids, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var alive = false;
            foreach (var pid in pids)
            {
                if (ReadStat(pid) is { State: not 'Z' and not 'X' })
                {
                    alive = true;
                    break;
                }
            }

            if (!alive)
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether <paramref name="pid"/> is pid 1 of a PID namespace one level below ours (bwrap's
    /// init): its status line reads <c>NSpid: &lt;host pid&gt; 1</c>.
    /// </summary>
    public static bool IsPidNamespaceInit(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("NSpid:", StringComparison.Ordinal))
                {
                    var ids = line["NSpid:".Length..].Split('\t', StringSplitOptions.RemoveEmptyEntries);
                    return ids.Length == 2 && ids[1] == "1";
                }
            }
        }
        catch (IOException)
        {
            // Gone already.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return false;
    }

    private static (char State, int ParentPid)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) S ppid …": comm may itself hold spaces and parentheses, so parse after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ', 3);
        if (fields.Length < 2
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid))
        {
            return null;
        }

        return (fields[0][0], ppid);
    }
}
