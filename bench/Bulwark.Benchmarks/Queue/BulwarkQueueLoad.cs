using System.Diagnostics;
using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Sqlite;

namespace Bulwark.Benchmarks.Queue;

/// <summary>
/// The load through <see cref="SqliteStore"/> exactly as the server drives it: one enqueue (with
/// its audit entry) per submission, then claim-a-batch and complete-each until the queue is empty.
/// </summary>
internal sealed class BulwarkQueueLoad(string databasePath)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    public async Task<QueueLoadResult> RunAsync(int jobs, int batch)
    {
        var ct = CancellationToken.None;
        var time = TimeProvider.System;
        await using var store = new SqliteStore(databasePath);
        await store.MigrateAsync(ct);
        var tenant = new Tenant("ten_bench", "bench", time.GetUtcNow());
        await store.CreateTenantAsync(tenant, ct);
        var scope = TenantScope.Of(tenant);
        var template = await store.PutTemplateAsync(
            null,
            new TemplateDefinition { Key = "bench.noop", Kind = TemplateKind.Script, Command = ["/bin/true"] },
            time.GetUtcNow(),
            ct);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < jobs; i++)
        {
            var now = time.GetUtcNow();
            var job = new NewJob
            {
                Id = JobIds.New(time),
                Template = template,
                InputsJson = "{}",
                MaxAttempts = 3,
                RunAt = now,
                CreatedAt = now,
                Actor = "bench",
            };
            var audit = new AuditEntry
            {
                At = now,
                TenantId = scope.TenantId,
                Actor = "bench",
                Action = "job.submit",
                Target = job.Id,
                Outcome = "success",
            };
            await store.EnqueueAsync(scope, job, audit, ct);
        }

        var enqueue = clock.Elapsed;
        clock.Restart();
        var done = 0;
        var succeeded = new Completion { NextState = JobState.Succeeded, ExitCode = 0 };
        while (true)
        {
            var claimed = await store.ClaimAsync("bench-worker", batch, Lease, time.GetUtcNow(), ct);
            if (claimed.Count == 0)
            {
                break;
            }

            foreach (var c in claimed)
            {
                await store.CompleteAsync(c.Lease, succeeded, time.GetUtcNow(), ct);
                done++;
            }
        }

        var drain = clock.Elapsed;
        if (done != jobs)
        {
            throw new InvalidOperationException($"Drained {done} jobs of {jobs}.");
        }

        return new QueueLoadResult("Bulwark", jobs, enqueue, drain);
    }
}
