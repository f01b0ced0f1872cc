using System.Diagnostics;
using Bulwark.Benchmarks.Queue;
using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Postgres;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>
/// The load through <see cref="PostgresStore"/> as the server drives it: connected as the
/// application login under row-level security, migrated as the owner; one enqueue (with its audit
/// entry) per submission from W submitters, then W workers that claim a batch and complete each job.
/// </summary>
internal sealed class BulwarkPostgresLoad(BenchDatabase database, int workers, int batch, CpuMeter cpu)
{
    public const string Name = "Bulwark";

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly Completion Succeeded = new() { NextState = JobState.Succeeded, ExitCode = 0 };

    public async Task<PostgresLoadResult> RunAsync(int jobs, TimeSpan deadline)
    {
        var time = TimeProvider.System;

        // A fresh store each round, dropped as the superuser (the audit log refuses TRUNCATE, as it
        // should); the logins and the store's roles are cluster-wide and stay.
        await BenchDatabase.ExecuteAsync(
            database.SuperuserConnectionString,
            $"DROP SCHEMA IF EXISTS {PostgresSchema.SchemaName} CASCADE; DROP SCHEMA IF EXISTS {PostgresSchema.MetaSchemaName} CASCADE");
        await using var store = new PostgresStore(new PostgresStoreOptions(
            database.As(BenchDatabase.AppLogin, "bench-bulwark"),
            database.As(BenchDatabase.OwnerLogin, "bench-bulwark-owner"))
        {
            AuditKey = AuditKey.Generate(),
        });
        await store.MigrateAsync(CancellationToken.None);
        var tenant = new Tenant("ten_bench", "bench", time.GetUtcNow());
        await store.CreateTenantAsync(tenant, CancellationToken.None);
        var scope = TenantScope.Of(tenant);
        var template = await store.PutTemplateAsync(
            tenant.Id,
            new TemplateDefinition { Key = "bench.noop", Kind = TemplateKind.Script, Command = ["/bin/true"] },
            time.GetUtcNow(),
            CancellationToken.None);

        using var timeout = new CancellationTokenSource(deadline);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            for (var i = w; i < jobs; i += workers)
            {
                var job = NewJob(template, time);
                await store.EnqueueAsync(scope, job, Audit(scope, job), timeout.Token);
            }
        }));
        var enqueue = clock.Elapsed;

        var calls = new CallTimings();
        var cpuStart = cpu.Read();
        clock.Restart();
        var drained = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkAsync(store, $"bench-{w}", calls, time, timeout.Token)));
        var drain = clock.Elapsed;
        var drainCpu = cpu.Read() - cpuStart;
        if (drained.Sum() != jobs)
        {
            throw new InvalidOperationException($"{Name}: drained {drained.Sum()} jobs of {jobs}.");
        }

        return new PostgresLoadResult(new QueueLoadResult(Name, jobs, enqueue, drain), drainCpu, calls);
    }

    private async Task<int> WorkAsync(PostgresStore store, string workerId, CallTimings calls, TimeProvider time, CancellationToken ct)
    {
        var done = 0;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            var claimed = await store.ClaimAsync(workerId, batch, Lease, time.GetUtcNow(), ct);
            calls.AddClaim(started);
            if (claimed.Count == 0)
            {
                return done;
            }

            foreach (var c in claimed)
            {
                started = Stopwatch.GetTimestamp();
                await store.CompleteAsync(c.Lease, Succeeded, time.GetUtcNow(), ct);
                calls.AddComplete(started);
                done++;
            }
        }
    }

    private static NewJob NewJob(JobTemplate template, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new NewJob
        {
            Id = JobIds.New(time),
            Template = template,
            InputsJson = "{}",
            MaxAttempts = 3,
            RunAt = now,
            CreatedAt = now,
            Actor = "bench",
        };
    }

    private static AuditEntry Audit(TenantScope scope, NewJob job) => new()
    {
        At = job.CreatedAt,
        TenantId = scope.TenantId,
        Actor = "bench",
        Action = "job.submit",
        Target = job.Id,
        Outcome = "success",
    };
}
