using System.Diagnostics;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>
/// Where the PostgreSQL benchmark runs: the cluster named by BULWARK_BENCH_POSTGRES (a superuser
/// connection string), else a throwaway cluster started with scripts/test-postgres.sh and stopped
/// again when this is disposed, on Ctrl-C or when the process exits, whichever comes first.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly string? _script;
    private readonly Lock _stopping = new();
    private bool _stopped;

    private BenchCluster(string superuserConnectionString, string? directory, string? script, bool? durable)
    {
        SuperuserConnectionString = superuserConnectionString;
        _directory = directory;
        _script = script;
        Durable = durable;
        if (directory is not null)
        {
            // A cluster left running would outlive the process; these handlers stop it on the two
            // ways out that skip the finally blocks.
            Console.CancelKeyPress += (_, _) => Stop();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        }
    }

    public string SuperuserConnectionString { get; }

    /// <summary>Whether this process asked for durable settings (only known for a cluster it started).</summary>
    public bool? Durable { get; }

    /// <summary>The postmaster of a cluster this process started (null for BULWARK_BENCH_POSTGRES), for <see cref="CpuMeter"/>.</summary>
    public int? PostmasterPid =>
        _directory is not null && File.Exists(Path.Combine(_directory, "data", "postmaster.pid"))
            && int.TryParse(File.ReadLines(Path.Combine(_directory, "data", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture, out var pid)
                ? pid
                : null;

    public string Description => _directory is null ? "BULWARK_BENCH_POSTGRES" : "throwaway cluster (scripts/test-postgres.sh)";

    public static async Task<BenchCluster> StartAsync(bool fast)
    {
        if (Environment.GetEnvironmentVariable("BULWARK_BENCH_POSTGRES") is { Length: > 0 } given)
        {
            return new BenchCluster(given, null, null, null);
        }

        var script = Path.Combine(RepositoryRoot(), "scripts", "test-postgres.sh");
        var directory = Path.Combine(Path.GetTempPath(), "pg-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var start = new ProcessStartInfo("bash", [script, "start", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["BULWARK_PG_DURABLE"] = fast ? "0" : "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run " + script);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            StopCluster(script, directory);
            throw new InvalidOperationException($"test-postgres.sh start failed ({process.ExitCode}): {(await stderr).Trim()}");
        }

        return new BenchCluster((await stdout).Trim(), directory, script, !fast);
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private void Stop()
    {
        lock (_stopping)
        {
            if (_stopped || _directory is null || _script is null)
            {
                return;
            }

            _stopped = true;
            StopCluster(_script, _directory);
        }
    }

    private static void StopCluster(string script, string directory)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [script, "stop", directory]) { UseShellExecute = false });
        process?.WaitForExit(60_000);
    }

    /// <summary>
    /// The directory holding Bulwark.slnx, found by walking up from this assembly, then from the
    /// working directory (a build with --artifacts-path puts the assembly outside the repository).
    /// </summary>
    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Bulwark.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            "Bulwark.slnx not found above " + AppContext.BaseDirectory + ": set BULWARK_BENCH_POSTGRES to a superuser connection string instead.");
    }
}
