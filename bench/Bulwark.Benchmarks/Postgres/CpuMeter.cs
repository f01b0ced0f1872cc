using System.Diagnostics;
using System.Globalization;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>
/// CPU spent by this process and by the PostgreSQL cluster the run started. On a shared machine
/// throughput follows whatever share of the cores the run gets; CPU per job does not, so it is
/// the figure that still compares when the machine is busy. The server's part is read from /proc:
/// the postmaster and its live children, plus the children it has already reaped (cutime/cstime),
/// so backends that exit mid-round are still counted.
/// </summary>
internal sealed class CpuMeter(int? postmasterPid)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>False when the cluster was not started here (its processes are not ours to read).</summary>
    public bool MeasuresServer => postmasterPid is not null;

    public CpuSample Read()
    {
        using var self = Process.GetCurrentProcess();
        return new CpuSample(self.TotalProcessorTime, postmasterPid is { } pid ? ServerTime(pid) : TimeSpan.Zero);
    }

    private static TimeSpan ServerTime(int postmaster)
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var fields = StatFields(pid);
            if (fields is null)
            {
                continue;
            }

            // After the command name: [1] ppid … [11] utime [12] stime [13] cutime [14] cstime.
            if (pid == postmaster)
            {
                ticks += fields[11] + fields[12] + fields[13] + fields[14];
            }
            else if (fields[1] == postmaster)
            {
                ticks += fields[11] + fields[12];
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The numeric fields of /proc/PID/stat after the command name (which may hold spaces), or null when the process is gone.</summary>
    private static long[]? StatFields(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var fields = new long[15];
        for (var i = 1; i < fields.Length; i++)
        {
            _ = long.TryParse(rest[i], CultureInfo.InvariantCulture, out fields[i]);
        }

        return fields;
    }
}

/// <summary>CPU used so far by the client (this process) and the server (the cluster).</summary>
internal readonly record struct CpuSample(TimeSpan Client, TimeSpan Server)
{
    public static CpuSample operator -(CpuSample end, CpuSample start) => end.Subtract(start);

    public CpuSample Subtract(CpuSample start) => new(Client - start.Client, Server - start.Server);
}
