using System.Globalization;

namespace Bulwark.Benchmarks.Queue;

/// <summary>
/// The side-by-side runner: the same load through Bulwark's SQLite store and through the least a
/// SQLite queue can do with the same pragmas and the same number of commits per job. It prints
/// ratios, never a pass/fail threshold: the point is to see where the store's overhead goes.
/// </summary>
internal static class QueueRunner
{
    private const int DefaultJobs = 5000;
    private const int DefaultBatch = 8;
    private const int WarmupJobs = 300;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (!TryParse(args, out var jobs, out var batch, out var problem))
        {
            await Console.Error.WriteLineAsync(problem);
            return 2;
        }

        var root = Path.Combine(Path.GetTempPath(), "bulwark-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            // A short run of each first, so that JIT and first-open costs stay out of the numbers.
            await new BulwarkQueueLoad(Path.Combine(root, "warm-bulwark", "bulwark.db")).RunAsync(WarmupJobs, batch);
            await new RawSqliteQueueLoad(Path.Combine(root, "warm-raw", "raw.db")).RunAsync(WarmupJobs, batch);

            var bulwark = await new BulwarkQueueLoad(Path.Combine(root, "bulwark", "bulwark.db")).RunAsync(jobs, batch);
            var raw = await new RawSqliteQueueLoad(Path.Combine(root, "raw", "raw.db")).RunAsync(jobs, batch);
            Print(output, jobs, batch, bulwark, raw);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Print(TextWriter output, int jobs, int batch, QueueLoadResult bulwark, QueueLoadResult raw)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"queue: {jobs} no-op jobs, claim batch {batch}, SQLite WAL synchronous=NORMAL, one process"));
        output.WriteLine(string.Create(c, $"{"",-14}{"enqueue jobs/s",16}{"drain jobs/s",16}{"end-to-end jobs/s",20}"));
        foreach (var r in new[] { bulwark, raw })
        {
            output.WriteLine(string.Create(c, $"{r.Name,-14}{r.EnqueuePerSecond,16:N0}{r.DrainPerSecond,16:N0}{r.EndToEndPerSecond,20:N0}"));
        }

        output.WriteLine(string.Create(
            c,
            $"{"Bulwark/raw",-14}{bulwark.EnqueuePerSecond / raw.EnqueuePerSecond,16:0.00}"
            + $"{bulwark.DrainPerSecond / raw.DrainPerSecond,16:0.00}{bulwark.EndToEndPerSecond / raw.EndToEndPerSecond,20:0.00}"));
    }

    private static bool TryParse(string[] args, out int jobs, out int batch, out string problem)
    {
        jobs = DefaultJobs;
        batch = DefaultBatch;
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--jobs" when int.TryParse(value, CultureInfo.InvariantCulture, out jobs) && jobs > 0:
                case "--batch" when int.TryParse(value, CultureInfo.InvariantCulture, out batch) && batch > 0:
                    i++;
                    break;
                default:
                    problem = $"Unexpected argument '{args[i]}': use --jobs N and --batch B with positive integers.";
                    return false;
            }
        }

        return true;
    }
}
