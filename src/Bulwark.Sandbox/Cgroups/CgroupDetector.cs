using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Sandbox.Cgroups;

/// <summary>
/// Finds out once, at start, which cgroups this host lets us create: v2 when the unified
/// hierarchy offers memory and pids, else v1 memory/pids/cpuacct, else none (rlimits only).
/// Run cgroups go under our own cgroup (<c>&lt;own&gt;/bulwark</c>), never at a hierarchy's root:
/// the host (systemd, a container runtime) owns everything above us, and its limits keep
/// applying to ours because cgroups are hierarchical.
/// </summary>
internal static class CgroupDetector
{
    private const string SubtreeName = "bulwark";
    private static readonly string[] V1Controllers = ["memory", "pids", "cpuacct"];

    public static CgroupController Detect() => Detect("/proc/self/mountinfo", "/proc/self/cgroup");

    internal static CgroupController Detect(string mountInfoPath, string ownCgroupPath)
    {
        List<Mount> mounts;
        List<(string[] Controllers, string Path)> own;
        try
        {
            mounts = File.ReadLines(mountInfoPath).Select(ParseMount).OfType<Mount>().ToList();
            own = File.ReadLines(ownCgroupPath).Select(ParseOwn).OfType<(string[], string)>().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new NoCgroupController($"cannot read our cgroups: {e.Message}");
        }

        var v2Problem = "";
        var unified = mounts.FirstOrDefault(m => m.FsType == "cgroup2");
        var unifiedOwn = own.FirstOrDefault(o => o.Controllers is [""]);
        if (unified is not null && unifiedOwn.Path is not null && Locate(unified, unifiedOwn.Path) is { } v2Own)
        {
            var available = ReadWords(Path.Combine(v2Own, "cgroup.controllers"));
            if (available.Contains("memory") && available.Contains("pids"))
            {
                if (TryV2(v2Own, out v2Problem) is { } v2)
                {
                    return v2;
                }
            }
        }

        var bases = new Dictionary<string, string>();
        foreach (var controller in V1Controllers)
        {
            var mount = mounts.FirstOrDefault(m => m.FsType == "cgroup" && m.SuperOptions.Contains(controller));
            var path = own.FirstOrDefault(o => o.Controllers.Contains(controller)).Path;
            if (mount is not null && path is not null && Locate(mount, path) is { } dir && TryPrepare(dir) is { } prepared)
            {
                bases[controller] = prepared;
            }
        }

        if (bases.ContainsKey("memory") || bases.ContainsKey("pids"))
        {
            return new CgroupV1Controller(bases.GetValueOrDefault("memory"), bases.GetValueOrDefault("pids"), bases.GetValueOrDefault("cpuacct"));
        }

        return new NoCgroupController(v2Problem.Length > 0 ? v2Problem : "no writable memory or pids cgroup");
    }

    private static CgroupV2Controller? TryV2(string ownDir, out string problem)
    {
        problem = "";
        // Controllers reach a child only through its parent's subtree_control. Enabling them in our
        // own cgroup fails while it holds processes (the v2 "no internal processes" rule, except at
        // the root): then the host must delegate them to us already enabled.
        var enabled = ReadWords(Path.Combine(ownDir, "cgroup.subtree_control"));
        if ((!enabled.Contains("memory") || !enabled.Contains("pids"))
            && !RunCgroup.TryWrite(Path.Combine(ownDir, "cgroup.subtree_control"), "+memory +pids"))
        {
            problem = $"cgroup v2: cannot enable memory and pids under {ownDir}";
            return null;
        }

        var baseDir = TryPrepare(ownDir);
        if (baseDir is null || !RunCgroup.TryWrite(Path.Combine(baseDir, "cgroup.subtree_control"), "+memory +pids"))
        {
            problem = $"cgroup v2: cannot create {Path.Combine(ownDir, SubtreeName)} with memory and pids";
            return null;
        }

        return new CgroupV2Controller(baseDir);
    }

    /// <summary>Creates <c>dir/bulwark</c> and proves a run cgroup can be made and removed in it.</summary>
    private static string? TryPrepare(string dir)
    {
        var baseDir = Path.Combine(dir, SubtreeName);
        var probe = Path.Combine(baseDir, $"probe-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}");
        try
        {
            Directory.CreateDirectory(baseDir);
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return baseDir;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Where cgroup <paramref name="path"/> of a hierarchy appears under <paramref name="mount"/>, if it does.</summary>
    private static string? Locate(Mount mount, string path)
    {
        var root = mount.Root.TrimEnd('/');
        if (root.Length > 0 && path != root && !path.StartsWith(root + "/", StringComparison.Ordinal))
        {
            return null;
        }

        var dir = mount.MountPoint.TrimEnd('/') + path[root.Length..];
        return Directory.Exists(dir) ? dir : null;
    }

    private static HashSet<string> ReadWords(string file)
    {
        try
        {
            return File.ReadAllText(file).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>A mountinfo line: <c>id parent dev root mountpoint options [optional…] - fstype source superoptions</c>.</summary>
    private static Mount? ParseMount(string line)
    {
        var fields = line.Split(' ');
        var dash = Array.IndexOf(fields, "-");
        if (dash < 5 || dash + 3 >= fields.Length)
        {
            return null;
        }

        var superOptions = fields[dash + 3].Split(',');
        return new Mount(Unescape(fields[3]), Unescape(fields[4]), fields[dash + 1], superOptions);
    }

    private static (string[] Controllers, string Path)? ParseOwn(string line)
    {
        var parts = line.Split(':', 3);
        return parts.Length == 3 ? (parts[1].Split(','), parts[2]) : null;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as three octal digits.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var sb = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && field.Substring(i + 1, 3) is var octal && octal.All(c => c is >= '0' and <= '7'))
            {
                sb.Append((char)Convert.ToInt32(octal, 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }

        return sb.ToString();
    }

    private sealed record Mount(string Root, string MountPoint, string FsType, string[] SuperOptions);
}
