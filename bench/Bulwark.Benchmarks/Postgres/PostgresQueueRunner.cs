using System.Globalization;
using System.Reflection;
using Hangfire;
using Hangfire.PostgreSql;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>
/// The side-by-side PostgreSQL runner (issue 5 item 7): on one database, the same N no-op jobs and
/// the same W workers through a raw SKIP LOCKED loop, Bulwark's PostgreSQL store and Hangfire, in
/// interleaved rounds, each reported by its median. It prints ratios against the raw loop and
/// against Hangfire, with the goals beside them; it measures, the reader judges.
/// </summary>
internal static class PostgresQueueRunner
{
    private const double GoalOfRaw = 0.70;
    private const double GoalOverHangfire = 10.0;
    private const int WarmupJobs = 300;

    private const string Usage = "usage: postgres [--jobs N=5000] [--workers W=4] [--batch B=8] [--rounds R=3] [--fast]";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (!BenchArgs.TryParse(args, out var settings, out var problem))
        {
            await Console.Error.WriteLineAsync(problem + Environment.NewLine + Usage);
            return 2;
        }

        var loadBefore = LoadAverage();

        // A bound on every drain and wait: a contender that stalls fails the run loudly instead of hanging it.
        var deadline = TimeSpan.FromSeconds(60 + (settings.Jobs / 20.0));
        await using var cluster = await BenchCluster.StartAsync(settings.Fast);
        await using var database = await BenchDatabase.CreateAsync(cluster.SuperuserConnectionString);
        var asOwner = database.As(BenchDatabase.OwnerLogin, "bench-raw");
        var cpu = new CpuMeter(cluster.PostmasterPid);
        var contenders = new (string Name, Func<int, Task<PostgresLoadResult>> Run)[]
        {
            (RawSkipLockedLoad.Name, n => new RawSkipLockedLoad(asOwner, settings.Workers, settings.Batch, cpu).RunAsync(n, deadline)),
            (BulwarkPostgresLoad.Name, n => new BulwarkPostgresLoad(database, settings.Workers, settings.Batch, cpu).RunAsync(n, deadline)),
            (HangfireLoad.Name, n => new HangfireLoad(database.As(BenchDatabase.OwnerLogin, "bench-hangfire"), settings.Workers, cpu).RunAsync(n, deadline)),
        };

        // A short run of each first and thrown away: JIT, pools, Hangfire's schema install and the
        // store's first migration stay out of the numbers.
        foreach (var (_, run) in contenders)
        {
            await run(Math.Min(WarmupJobs, settings.Jobs));
        }

        // Interleaved rounds, medians reported: a shared machine drifts over a run, and a contender
        // measured in one block, early or late, would carry that drift.
        var rounds = contenders.ToDictionary(c => c.Name, _ => new List<PostgresLoadResult>());
        for (var round = 0; round < settings.Rounds; round++)
        {
            foreach (var (name, run) in contenders)
            {
                rounds[name].Add(await run(settings.Jobs));
            }
        }

        Print(output, settings, cluster, cpu, await database.SettingsAsync(), rounds, $"{loadBefore} before, {LoadAverage()} after");
        return 0;
    }

    private static void Print(
        TextWriter output,
        BenchArgs settings,
        BenchCluster cluster,
        CpuMeter cpu,
        IReadOnlyList<(string Name, string Value)> pg,
        Dictionary<string, List<PostgresLoadResult>> rounds,
        string load)
    {
        var c = CultureInfo.InvariantCulture;
        var version = pg.First(s => s.Name == "server_version").Value;
        output.WriteLine(string.Create(c,
            $"postgres: {settings.Jobs} no-op jobs, {settings.Workers} workers, claim batch {settings.Batch}, "
            + $"{settings.Rounds} interleaved round(s) (medians), one process, {Environment.ProcessorCount} cores, loopback"));
        output.WriteLine($"load average (1 min): {load}: other work on the machine shares the cores");
        output.WriteLine($"PostgreSQL {version} ({cluster.Description}): "
            + string.Join(" ", pg.Where(s => s.Name != "server_version").Select(s => $"{s.Name}={s.Value}")));
        output.WriteLine(string.Create(c,
            $"  {RawSkipLockedLoad.Name}: owner login, own schema; 500-row INSERTs; claim = one UPDATE … LIMIT {settings.Batch} FOR UPDATE SKIP LOCKED "
            + $"(one commit), then one fenced UPDATE per job (one commit)"));
        output.WriteLine(
            $"  {BulwarkPostgresLoad.Name}: app login under RLS, schema bulwark; EnqueueAsync (+ audit) from W submitters; "
            + "W workers: ClaimAsync(B) then CompleteAsync per job; TimeProvider.System");
        output.WriteLine(
            $"  {HangfireLoad.Name} {InformationalVersion(typeof(BackgroundJob))} + Hangfire.PostgreSql {InformationalVersion(typeof(PostgreSqlStorage))}: "
            + "owner login, own schema; client Enqueue from W threads; drain = BackgroundJobServer start until the Nth job has run");
        output.WriteLine("    non-default options: " + string.Join("; ", HangfireLoad.NonDefaultOptions));
        output.WriteLine();

        output.WriteLine(string.Create(c,
            $"{"",-18}{"enqueue jobs/s",16}{"drain jobs/s",14}{"CPU µs/job",12}{"(client+server)",17}{"claim ms",10}{"complete ms",13}   drain jobs/s by round"));
        var medians = new Dictionary<string, (double Enqueue, double Drain, double Cpu)>();
        foreach (var (name, results) in rounds)
        {
            var enqueue = Median(results.Select(r => r.Load.EnqueuePerSecond));
            var drain = Median(results.Select(r => r.Load.DrainPerSecond));

            // CPU and call timings of the round with the median drain: they explain that round's figure.
            var median = results.OrderBy(r => r.Load.DrainPerSecond).ElementAt(results.Count / 2);
            var cpuPerJob = median.ClientMicrosecondsPerJob + median.ServerMicrosecondsPerJob;
            medians[name] = (enqueue, drain, cpuPerJob);
            var split = cpu.MeasuresServer
                ? string.Create(c, $"{median.ClientMicrosecondsPerJob:N0}+{median.ServerMicrosecondsPerJob:N0}")
                : "client only";
            var total = cpu.MeasuresServer ? cpuPerJob.ToString("N0", c) : median.ClientMicrosecondsPerJob.ToString("N0", c);
            var claim = median.Calls is null ? "-" : median.Calls.ClaimMilliseconds.ToString("0.00", c);
            var complete = median.Calls is null ? "-" : median.Calls.CompleteMilliseconds.ToString("0.00", c);
            var byRound = string.Join(" ", results.Select(r => r.Load.DrainPerSecond.ToString("N0", c)));
            output.WriteLine(string.Create(c, $"{name,-18}{enqueue,16:N0}{drain,14:N0}{total,12}{split,17}{claim,10}{complete,13}   {byRound}"));
        }

        var bulwark = medians[BulwarkPostgresLoad.Name];
        var raw = medians[RawSkipLockedLoad.Name];
        var hangfire = medians[HangfireLoad.Name];
        output.WriteLine();
        var ofRaw = bulwark.Drain / raw.Drain;
        var overHangfire = bulwark.Drain / hangfire.Drain;
        output.WriteLine(string.Create(c,
            $"{"Bulwark/raw",-18}{bulwark.Enqueue / raw.Enqueue,16:0.00}{ofRaw,14:0.00}{raw.Cpu / bulwark.Cpu,12:0.00}   goal >= {GoalOfRaw:0.00} on drain: {Verdict(ofRaw >= GoalOfRaw)}"));
        output.WriteLine(string.Create(c,
            $"{"Bulwark/Hangfire",-18}{bulwark.Enqueue / hangfire.Enqueue,16:0.00}{overHangfire,14:0.00}{hangfire.Cpu / bulwark.Cpu,12:0.00}   goal >= {GoalOverHangfire:0}x on drain: {Verdict(overHangfire >= GoalOverHangfire)}"));
        output.WriteLine("(ratios are Bulwark's throughput over the other's; in the CPU column, the other's CPU per job over Bulwark's: above 1 means Bulwark spends less)");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static string Verdict(bool met) => met ? "goal met" : "goal missed";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string InformationalVersion(Type type)
    {
        var version = type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? type.Assembly.GetName().Version?.ToString() ?? "?";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
