using System.Globalization;
using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox.Cgroups;

/// <summary>
/// One run's cgroup: one directory per hierarchy (one with v2, one per controller with v1), the
/// files that tell which limit was hit, and the teardown that kills what is left and removes it.
/// The same shape serves v1 and v2: only the file names differ, and the controllers choose them.
/// </summary>
internal sealed class RunCgroup
{
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(1);

    public required IReadOnlyList<string> Directories { get; init; }

    /// <summary>Keyed file with an <c>oom_kill</c> counter (v1 memory.oom_control, v2 memory.events).</summary>
    public string? MemoryEventsFile { get; init; }

    /// <summary>v1 only, for kernels before 4.13 whose oom_control has no oom_kill counter.</summary>
    public string? MemoryFailcntFile { get; init; }

    /// <summary>pids.events: its <c>max</c> counter is how many forks pids.max refused.</summary>
    public string? PidsEventsFile { get; init; }

    /// <summary>v1 cpuacct.usage (nanoseconds), or v2 cpu.stat (<c>usage_usec</c>).</summary>
    public string? CpuUsageFile { get; init; }

    /// <summary>v2 cgroup.kill (Linux 5.14): one write SIGKILLs the whole cgroup, forks in flight included.</summary>
    public string? KillFile { get; init; }

    public IEnumerable<string> ProcsFiles => Directories.Select(d => Path.Combine(d, "cgroup.procs"));

    /// <summary>The limit the run is over right now, if any (polled while it runs).</summary>
    public SandboxTermination? LimitHit(long cpuLimitNanoseconds)
    {
        if (OomKills() > 0)
        {
            return SandboxTermination.MemoryLimit;
        }

        if (ProcessLimitHit())
        {
            return SandboxTermination.ProcessLimit;
        }

        return CpuNanoseconds() >= cpuLimitNanoseconds ? SandboxTermination.CpuLimit : null;
    }

    /// <summary>Whether pids.max refused a fork: the run tried to have more processes than <c>max_processes</c>.</summary>
    public bool ProcessLimitHit() => PidsEventsFile is not null && ReadKey(PidsEventsFile, "max") > 0;

    /// <summary>OOM kills in the run's cgroup; -1 when the kernel keeps no such counter.</summary>
    public long OomKills() => MemoryEventsFile is null ? 0 : ReadKey(MemoryEventsFile, "oom_kill") ?? -1;

    /// <summary>Times the memory limit was hit (v1 failcnt), the fallback when <see cref="OomKills"/> is -1.</summary>
    public long MemoryFailures() => MemoryFailcntFile is null ? 0 : ReadNumber(MemoryFailcntFile) ?? 0;

    public long? CpuNanoseconds()
    {
        if (CpuUsageFile is null)
        {
            return null;
        }

        return Path.GetFileName(CpuUsageFile) == "cpu.stat"
            ? ReadKey(CpuUsageFile, "usage_usec") * 1000
            : ReadNumber(CpuUsageFile);
    }

    /// <summary>
    /// SIGKILLs whatever still runs in the cgroup until it is empty. A process cannot leave its
    /// cgroup (the job is unprivileged and sees no cgroupfs), so this reaches daemons that
    /// double-forked, called setsid or escaped the process tree any other way.
    /// </summary>
    public async Task<bool> KillAllAsync(TimeSpan limit)
    {
        if (KillFile is not null)
        {
            TryWrite(KillFile, "1");
        }

        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var any = false;
            foreach (var procs in ProcsFiles)
            {
                foreach (var pid in ReadPids(procs))
                {
                    any = true;
                    _ = Libc.Kill(pid, Libc.SIGKILL);
                }
            }

            // Forks in flight when we read the list show up on the next pass; pids.max bounds how
            // many there can be, so the loop converges.
            if (!any)
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(PollStep).ConfigureAwait(false);
        }
    }

    /// <summary>rmdir of every directory (BOX-4), retried while the last killed tasks finish exiting.</summary>
    public async Task<bool> RemoveAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var removed = true;
        foreach (var dir in Directories)
        {
            while (true)
            {
                try
                {
                    Directory.Delete(dir, recursive: false);
                    break;
                }
                catch (DirectoryNotFoundException)
                {
                    break;
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    // EBUSY: a task is still exiting.
                    await Task.Delay(PollStep).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    removed = false;
                    break;
                }
            }
        }

        return removed;
    }

    internal static bool TryWrite(string file, string value)
    {
        try
        {
            File.WriteAllText(file, value);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static List<int> ReadPids(string procs)
    {
        var pids = new List<int>();
        try
        {
            foreach (var line in File.ReadLines(procs))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Removed already: nothing left in it.
        }

        return pids;
    }

    private static long? ReadNumber(string file)
    {
        try
        {
            return long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The value of <paramref name="key"/> in a flat-keyed cgroup file (<c>key value</c> lines).</summary>
    internal static long? ReadKey(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space == key.Length && line.StartsWith(key, StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
