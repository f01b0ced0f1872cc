using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Tests;

/// <summary>What only the embedded store has: its file, its pragmas and its migrations table.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "bulwark-sqlite-" + Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "nested", "dir", "bulwark.db");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Constructor_creates_missing_parent_directory_and_migrate_creates_wal_database()
    {
        await using (var store = new SqliteStore(DatabasePath))
        {
            Assert.True(Directory.Exists(Path.GetDirectoryName(DatabasePath)));
            await store.MigrateAsync(CancellationToken.None);
            Assert.True(await store.PingAsync(CancellationToken.None));
        }

        // WAL is a property of the file: readers never block the writer (the server and the CLI).
        Assert.Equal("wal", await ScalarAsync<string>("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Migrate_from_two_stores_at_once_applies_each_step_once()
    {
        await using var first = new SqliteStore(DatabasePath);
        await using var second = new SqliteStore(DatabasePath);

        // Two processes starting together on a fresh file (e.g. `bulwark serve` and a CLI command).
        await Task.WhenAll(
            Task.Run(() => first.MigrateAsync(CancellationToken.None)),
            Task.Run(() => second.MigrateAsync(CancellationToken.None)));
        await first.MigrateAsync(CancellationToken.None);

        var rows = await ScalarAsync<long>("SELECT count(*) FROM schema_migrations");
        var versions = await ScalarAsync<long>("SELECT count(DISTINCT version) FROM schema_migrations");
        var newest = await ScalarAsync<long>("SELECT max(version) FROM schema_migrations");
        Assert.Equal(versions, rows);
        Assert.Equal(newest, rows);
    }

    [Fact]
    public async Task Migrate_refuses_database_migrated_by_a_newer_version()
    {
        await using (var store = new SqliteStore(DatabasePath))
        {
            await store.MigrateAsync(CancellationToken.None);
        }

        await ScalarAsync<long>("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0) RETURNING version");
        await using var older = new SqliteStore(DatabasePath);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => older.MigrateAsync(CancellationToken.None));

        Assert.Contains("9999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attempt_rows_record_each_attempt_worker_and_outcome()
    {
        var ct = CancellationToken.None;
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await using var store = new SqliteStore(DatabasePath);
        await store.MigrateAsync(ct);
        var tenant = new Tenant("ten_a", "acme", now);
        await store.CreateTenantAsync(tenant, ct);
        var scope = TenantScope.Of(tenant);
        var template = await store.PutTemplateAsync(
            null, new TemplateDefinition { Key = "ops.scan", Kind = TemplateKind.Script, Command = ["/bin/true"] }, now, ct);
        var job = new NewJob
        {
            Id = "job_1", Template = template, InputsJson = "{}", MaxAttempts = 2, RunAt = now, CreatedAt = now,
        };
        await store.EnqueueAsync(
            scope, job, new AuditEntry { At = now, TenantId = tenant.Id, Actor = "a", Action = "job.submit", Outcome = "success" }, ct);

        var first = (await store.ClaimAsync("w1", 1, TimeSpan.FromSeconds(30), now, ct))[0];
        await store.CompleteAsync(
            first.Lease,
            new Completion { NextState = JobState.Retrying, RetryAt = now, ExitCode = 2, Error = "exit 2", ErrorCode = "exit_code" },
            now,
            ct);
        await store.ClaimAsync("w2", 1, TimeSpan.FromSeconds(30), now, ct);
        await store.ReapExpiredLeasesAsync(now.AddMinutes(1), ct);

        // JOB-3/JOB-4: the history of a job is one row per attempt, closed however it ended.
        Assert.Equal(
            "1|w1|retrying|2|exit_code;2|w2|dead||lease_expired",
            await ScalarAsync<string>(
                "SELECT group_concat(attempt || '|' || worker_id || '|' || outcome || '|' || coalesce(exit_code, '') || '|' "
                + "|| error_code, ';') FROM (SELECT * FROM attempts WHERE job_id = 'job_1' ORDER BY attempt)"));
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
