using System.Diagnostics;
using Bulwark.Benchmarks.Queue;
using Npgsql;
using NpgsqlTypes;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>
/// The floor: a minimal job queue table in a schema of its own and the least a SKIP LOCKED worker
/// can do with the same commits per job as Bulwark's store: one claim of a batch (one statement,
/// one commit), then one fenced completion per job (one commit each). No tenants, RLS, audit,
/// attempt rows or logs; the gap to it is Bulwark's overhead.
/// </summary>
internal sealed class RawSkipLockedLoad(string connectionString, int workers, int batch, CpuMeter cpu)
{
    public const string Name = "raw SKIP LOCKED";

    private const int InsertBatch = 500;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private const string Schema =
        """
        CREATE SCHEMA IF NOT EXISTS raw_queue;
        CREATE TABLE IF NOT EXISTS raw_queue.jobs (
            id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            state            text        NOT NULL,
            priority         integer     NOT NULL,
            run_at           timestamptz NOT NULL,
            attempts         integer     NOT NULL DEFAULT 0,
            lease_token      uuid,
            lease_expires_at timestamptz,
            worker_id        text,
            inputs           jsonb       NOT NULL
        );
        CREATE INDEX IF NOT EXISTS jobs_due ON raw_queue.jobs (priority DESC, run_at, id) WHERE state = 'queued';
        TRUNCATE raw_queue.jobs RESTART IDENTITY;
        """;

    private const string Insert =
        "INSERT INTO raw_queue.jobs (state, priority, run_at, inputs) SELECT 'queued', 0, r, '{}' FROM unnest($1::timestamptz[]) AS r";

    private const string Claim =
        """
        UPDATE raw_queue.jobs
           SET state = 'running', attempts = attempts + 1, lease_token = gen_random_uuid(), lease_expires_at = $3, worker_id = $1
         WHERE id IN (SELECT id FROM raw_queue.jobs
                       WHERE state = 'queued' AND run_at <= $2
                       ORDER BY priority DESC, run_at, id
                       LIMIT $4
                       FOR UPDATE SKIP LOCKED)
        RETURNING id, lease_token
        """;

    private const string Complete =
        """
        UPDATE raw_queue.jobs SET state = 'succeeded', lease_token = NULL, lease_expires_at = NULL
         WHERE id = $1 AND lease_token = $2 AND state = 'running'
        """;

    public async Task<PostgresLoadResult> RunAsync(int jobs, TimeSpan deadline)
    {
        await BenchDatabase.ExecuteAsync(connectionString, Schema);

        var clock = Stopwatch.StartNew();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(Insert, connection);
            var runAt = insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            await insert.PrepareAsync();
            for (var done = 0; done < jobs; done += InsertBatch)
            {
                var now = DateTimeOffset.UtcNow;
                runAt.Value = Enumerable.Repeat(now, Math.Min(InsertBatch, jobs - done)).ToArray();
                await insert.ExecuteNonQueryAsync();
            }
        }

        var enqueue = clock.Elapsed;
        var calls = new CallTimings();
        using var timeout = new CancellationTokenSource(deadline);
        var cpuStart = cpu.Read();
        clock.Restart();
        var drained = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkAsync($"raw-{w}", calls, timeout.Token)));
        var drain = clock.Elapsed;
        var drainCpu = cpu.Read() - cpuStart;
        if (drained.Sum() != jobs)
        {
            throw new InvalidOperationException($"{Name}: drained {drained.Sum()} jobs of {jobs}.");
        }

        return new PostgresLoadResult(new QueueLoadResult(Name, jobs, enqueue, drain), drainCpu, calls);
    }

    private async Task<int> WorkAsync(string workerId, CallTimings calls, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var claim = new NpgsqlCommand(Claim, connection);
        var claimNow = new NpgsqlParameter<DateTimeOffset> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        var claimExpires = new NpgsqlParameter<DateTimeOffset> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        claim.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = workerId });
        claim.Parameters.Add(claimNow);
        claim.Parameters.Add(claimExpires);
        claim.Parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = batch });
        await claim.PrepareAsync(ct);

        await using var complete = new NpgsqlCommand(Complete, connection);
        var completeId = new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint };
        var completeToken = new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid };
        complete.Parameters.Add(completeId);
        complete.Parameters.Add(completeToken);
        await complete.PrepareAsync(ct);

        var done = 0;
        var claimed = new List<(long Id, Guid Token)>(batch);
        while (true)
        {
            claimed.Clear();
            var now = DateTimeOffset.UtcNow;
            claimNow.TypedValue = now;
            claimExpires.TypedValue = now + Lease;
            var started = Stopwatch.GetTimestamp();
            await using (var reader = await claim.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    claimed.Add((reader.GetInt64(0), reader.GetGuid(1)));
                }
            }

            calls.AddClaim(started);
            if (claimed.Count == 0)
            {
                return done;
            }

            foreach (var (id, token) in claimed)
            {
                completeId.TypedValue = id;
                completeToken.TypedValue = token;
                started = Stopwatch.GetTimestamp();
                if (await complete.ExecuteNonQueryAsync(ct) != 1)
                {
                    throw new InvalidOperationException($"{Name}: job {id} lost its lease.");
                }

                calls.AddComplete(started);
                done++;
            }
        }
    }
}
