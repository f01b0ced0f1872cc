using System.Globalization;
using Bulwark.Core.Templates;

namespace Bulwark.Sandbox.Cgroups;

/// <summary>
/// cgroup v1: one hierarchy per controller, so a run gets one directory in each (memory, pids,
/// cpuacct) and the launcher enters every one of them. Each base is <c>&lt;our own cgroup&gt;/bulwark</c>.
/// </summary>
internal sealed class CgroupV1Controller(string? memoryBase, string? pidsBase, string? cpuacctBase) : CgroupController
{
    public override string Description =>
        $"cgroup v1 ({string.Join(", ", new[] { (memoryBase, "memory"), (pidsBase, "pids"), (cpuacctBase, "cpuacct") }.Where(c => c.Item1 is not null).Select(c => c.Item2))})";

    public override bool EnforcesMemory => memoryBase is not null;

    public override bool EnforcesProcesses => pidsBase is not null;

    public override IReadOnlyList<string> BaseDirectories =>
        new[] { memoryBase, pidsBase, cpuacctBase }.OfType<string>().Distinct().ToList();

    public override bool AccountsCpu => cpuacctBase is not null;

    public override RunCgroup? Create(string runName, ResourceLimits limits)
    {
        var created = new List<string>();
        try
        {
            string? memory = null, pids = null, cpuacct = null;
            if (memoryBase is not null)
            {
                memory = Make(memoryBase, runName, created);
                var bytes = Num((long)limits.MemoryMb * 1024 * 1024);
                Write(memory, "memory.limit_in_bytes", bytes);
                // memory+swap at the same ceiling: otherwise the job keeps going by swapping the
                // host's disk. Without swap accounting the file is absent; keep it out of swap instead.
                var memsw = Path.Combine(memory, "memory.memsw.limit_in_bytes");
                if (!File.Exists(memsw) || !RunCgroup.TryWrite(memsw, bytes))
                {
                    RunCgroup.TryWrite(Path.Combine(memory, "memory.swappiness"), "0");
                }
            }

            if (pidsBase is not null)
            {
                pids = Make(pidsBase, runName, created);
                Write(pids, "pids.max", Num(limits.MaxProcesses + SetupProcesses));
            }

            if (cpuacctBase is not null)
            {
                cpuacct = Make(cpuacctBase, runName, created);
            }

            return new RunCgroup
            {
                Directories = created,
                MemoryEventsFile = memory is null ? null : Path.Combine(memory, "memory.oom_control"),
                MemoryFailcntFile = memory is null ? null : Path.Combine(memory, "memory.failcnt"),
                PidsEventsFile = pids is null ? null : Path.Combine(pids, "pids.events"),
                CpuUsageFile = cpuacct is null ? null : Path.Combine(cpuacct, "cpuacct.usage"),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var dir in created)
            {
                try
                {
                    Directory.Delete(dir);
                }
                catch (IOException)
                {
                }
            }

            throw new IOException($"Could not set up the run's cgroup: {e.Message}", e);
        }
    }

    private static string Make(string baseDir, string runName, List<string> created)
    {
        var dir = Path.Combine(baseDir, runName);
        // Controllers mounted together (cpu,cpuacct) share one directory.
        if (!created.Contains(dir))
        {
            Directory.CreateDirectory(dir);
            created.Add(dir);
        }

        return dir;
    }

    private static void Write(string dir, string file, string value) => File.WriteAllText(Path.Combine(dir, file), value);

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
