using System.Globalization;
using Bulwark.Core.Templates;

namespace Bulwark.Sandbox.Cgroups;

/// <summary>
/// cgroup v2: one directory per run under <c>&lt;our own cgroup&gt;/bulwark</c>, whose
/// subtree_control enables memory and pids. CPU usage comes from cpu.stat, present in every v2 cgroup.
/// </summary>
internal sealed class CgroupV2Controller(string baseDir) : CgroupController
{
    public override string Description => "cgroup v2 (memory, pids, cpu)";

    public override bool EnforcesMemory => true;

    public override bool EnforcesProcesses => true;

    public override IReadOnlyList<string> BaseDirectories => [baseDir];

    public override bool AccountsCpu => true;

    public override RunCgroup? Create(string runName, ResourceLimits limits)
    {
        var dir = Path.Combine(baseDir, runName);
        try
        {
            Directory.CreateDirectory(dir);
            Write(dir, "memory.max", Num((long)limits.MemoryMb * 1024 * 1024));
            // No swap: otherwise the job keeps going by swapping the host's disk. Absent without swap.
            RunCgroup.TryWrite(Path.Combine(dir, "memory.swap.max"), "0");
            // One OOM kill takes the whole run, not just its largest process (BOX-2).
            RunCgroup.TryWrite(Path.Combine(dir, "memory.oom.group"), "1");
            Write(dir, "pids.max", Num(limits.MaxProcesses + SetupProcesses));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                Directory.Delete(dir);
            }
            catch (IOException)
            {
            }

            throw new IOException($"Could not set up the run's cgroup {dir}: {e.Message}", e);
        }

        var kill = Path.Combine(dir, "cgroup.kill");
        return new RunCgroup
        {
            Directories = [dir],
            MemoryEventsFile = Path.Combine(dir, "memory.events"),
            PidsEventsFile = Path.Combine(dir, "pids.events"),
            CpuUsageFile = Path.Combine(dir, "cpu.stat"),
            KillFile = File.Exists(kill) ? kill : null,
        };
    }

    private static void Write(string dir, string file, string value) => File.WriteAllText(Path.Combine(dir, file), value);

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
