using System.Diagnostics;
using Bulwark.Benchmarks.Queue;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>
/// The peer: Hangfire with Hangfire.PostgreSql on the same database (a schema of its own, dropped
/// and installed again each round), the same jobs enqueued through its client, then a
/// BackgroundJobServer with the same number of workers working them off.
/// </summary>
internal sealed class HangfireLoad(string connectionString, int workers, CpuMeter cpu)
{
    public const string Name = "Hangfire";

    private const string Schema = "hangfire_bench";

    /// <summary>Every option set away from its default, printed in the header so the comparison can be checked.</summary>
    public static IReadOnlyList<string> NonDefaultOptions { get; } =
    [
        "storage: QueuePollInterval=50ms (default 15s; the lowest it takes without AllowUnsafeValues)",
        $"storage: SchemaName={Schema}",
        "server: WorkerCount=W",
        "job: [AutomaticRetry(Attempts = 0)] (no retries)",
        "global: CompatibilityLevel.Version_180, simple assembly-name type serializer, recommended serializer settings",
    ];

    private static readonly Lock ConfigureOnce = new();
    private static bool _configured;

    public async Task<PostgresLoadResult> RunAsync(int jobs, TimeSpan deadline)
    {
        Configure();
        await BenchDatabase.ExecuteAsync(connectionString, $"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            PrepareSchemaIfNecessary = true,
            // EnableLongPolling (LISTEN/NOTIFY) stays off: with it on, about every second run here
            // stranded one fetched job that never ran (Hangfire.PostgreSql 1.21.1), and a run
            // without it was no slower. All jobs are queued before the server starts, so workers
            // poll only when the queue is empty.
            QueuePollInterval = TimeSpan.FromMilliseconds(50),
        };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
        var client = new BackgroundJobClient(storage);

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() =>
        {
            for (var i = w; i < jobs; i += workers)
            {
                client.Enqueue(() => HangfireNoOp.Run());
            }
        })));
        var enqueue = clock.Elapsed;

        var allDone = HangfireNoOp.Expect(jobs);
        var cpuStart = cpu.Read();
        clock.Restart();
        using (var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers }, storage))
        {
            try
            {
                await allDone.WaitAsync(deadline);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException($"{Name}: only {HangfireNoOp.Ran} of {jobs} jobs ran within {deadline}.");
            }

            var drain = clock.Elapsed;
            var drainCpu = cpu.Read() - cpuStart;

            // The counter moves when the method has run; the Succeeded state is written just after.
            // Waiting for it (outside the clock) proves every job really finished, and finished once.
            await WaitForSucceededAsync(storage, jobs, deadline);
            server.SendStop();
            if (HangfireNoOp.Ran != jobs)
            {
                throw new InvalidOperationException($"{Name}: {HangfireNoOp.Ran} runs for {jobs} jobs.");
            }

            return new PostgresLoadResult(new QueueLoadResult(Name, jobs, enqueue, drain), drainCpu, null);
        }
    }

    private static async Task WaitForSucceededAsync(PostgreSqlStorage storage, int jobs, TimeSpan deadline)
    {
        var monitoring = storage.GetMonitoringApi();
        var clock = Stopwatch.StartNew();
        while (monitoring.SucceededListCount() < jobs)
        {
            if (clock.Elapsed > deadline)
            {
                throw new InvalidOperationException($"{Name}: {monitoring.SucceededListCount()} of {jobs} jobs reached Succeeded within {deadline}.");
            }

            await Task.Delay(20);
        }
    }

    private static void Configure()
    {
        lock (ConfigureOnce)
        {
            if (_configured)
            {
                return;
            }

            // Warnings and errors to the console: a job Hangfire drops or retries must show, not
            // surface only as a run that timed out.
            GlobalConfiguration.Configuration
                .UseColouredConsoleLogProvider(Hangfire.Logging.LogLevel.Warn)
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            _configured = true;
        }
    }
}

/// <summary>The job Hangfire runs: counts itself, and signals when the round's last one has run.</summary>
internal static class HangfireNoOp
{
    private static int _ran;
    private static int _expected;
    private static TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static int Ran => Volatile.Read(ref _ran);

    public static Task Expect(int jobs)
    {
        _allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _ran, 0);
        Volatile.Write(ref _expected, jobs);
        return _allDone.Task;
    }

    [AutomaticRetry(Attempts = 0)]
    public static void Run()
    {
        if (Interlocked.Increment(ref _ran) == Volatile.Read(ref _expected))
        {
            _allDone.TrySetResult();
        }
    }
}
