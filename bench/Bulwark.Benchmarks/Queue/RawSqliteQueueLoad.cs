using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Bulwark.Benchmarks.Queue;

/// <summary>
/// The floor: a minimal jobs table on the same pragmas, one prepared statement per step, the same
/// number of commits per job as Bulwark (one per insert, one per claimed batch, one per completion)
/// but no tenants, audit, attempts, leases checks or logs. The gap to it is Bulwark's overhead.
/// </summary>
internal sealed class RawSqliteQueueLoad(string databasePath)
{
    private const string Schema =
        """
        CREATE TABLE jobs (
            id       INTEGER PRIMARY KEY,
            state    TEXT    NOT NULL,
            priority INTEGER NOT NULL,
            run_at   INTEGER NOT NULL,
            lease    TEXT,
            inputs   TEXT    NOT NULL
        );
        CREATE INDEX jobs_due ON jobs (priority DESC, run_at, id) WHERE state = 'queued';
        """;

    public async Task<QueueLoadResult> RunAsync(int jobs, int batch)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
        await using var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;");
        await ExecuteAsync(connection, Schema);

        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO jobs (state, priority, run_at, inputs) VALUES ('queued', 0, $now, '{}')";
        var insertNow = insert.Parameters.Add("$now", SqliteType.Integer);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < jobs; i++)
        {
            insertNow.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await insert.ExecuteNonQueryAsync();
        }

        var enqueue = clock.Elapsed;

        await using var claim = connection.CreateCommand();
        claim.CommandText =
            "UPDATE jobs SET state = 'running', lease = lower(hex(randomblob(16))) WHERE id IN "
            + "(SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $now ORDER BY priority DESC, run_at, id LIMIT $batch) "
            + "RETURNING id, lease";
        var claimNow = claim.Parameters.Add("$now", SqliteType.Integer);
        claim.Parameters.AddWithValue("$batch", batch);

        await using var finish = connection.CreateCommand();
        finish.CommandText = "UPDATE jobs SET state = 'done', lease = NULL WHERE id = $id AND lease = $lease";
        var finishId = finish.Parameters.Add("$id", SqliteType.Integer);
        var finishLease = finish.Parameters.Add("$lease", SqliteType.Text);

        clock.Restart();
        var done = 0;
        var claimed = new List<(long Id, string Lease)>(batch);
        while (true)
        {
            claimed.Clear();
            claimNow.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await using (var reader = await claim.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    claimed.Add((reader.GetInt64(0), reader.GetString(1)));
                }
            }

            if (claimed.Count == 0)
            {
                break;
            }

            foreach (var (id, lease) in claimed)
            {
                finishId.Value = id;
                finishLease.Value = lease;
                done += await finish.ExecuteNonQueryAsync();
            }
        }

        var drain = clock.Elapsed;
        if (done != jobs)
        {
            throw new InvalidOperationException($"Drained {done} jobs of {jobs}.");
        }

        return new QueueLoadResult("raw SQLite", jobs, enqueue, drain);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
