using System.Collections.Concurrent;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Storage.Sqlite.Connections;
using Bulwark.Storage.Sqlite.Schema;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite;

/// <summary>
/// The embedded store (OPS-1): one SQLite file in WAL mode. SQLite has a single writer per file,
/// so this store embraces it: every write is one <c>BEGIN IMMEDIATE</c> transaction taken behind an
/// in-process lock, and the job queue's hot path claims a whole batch in one such transaction.
/// Several processes (the server, the <c>bulwark</c> CLI) may open the same file at once.
/// </summary>
public sealed partial class SqliteStore : IBulwarkStore
{
    private readonly SqliteConnectionPool _pool;

    // One writer at a time inside this process: SQLite would serialize us anyway, but waiting on
    // a semaphore is fair and cheap, whereas writers racing for the file lock spin in busy_timeout
    // back-off sleeps. Other processes are still kept out by BEGIN IMMEDIATE and busy_timeout.
    private readonly SemaphoreSlim _writer = new(1, 1);

    // Stored template versions never change, so a parsed definition can be kept for the store's
    // life; claims then cost no JSON parsing.
    private readonly ConcurrentDictionary<string, JobTemplate> _templates = new(StringComparer.Ordinal);

    private int _disposed;

    private readonly AuditKey _auditKey;

    /// <param name="databasePath">The database file; created with its directory when missing.</param>
    /// <param name="auditKey">
    /// Seals the audit chain (AUD-2). Null: the key kept in <c>audit.key</c> beside the database file,
    /// created on first use, so every process opening the file seals with the same key.
    /// </param>
    public SqliteStore(string databasePath, AuditKey? auditKey = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var fullPath = Path.GetFullPath(databasePath);
        var directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        DatabasePath = fullPath;
        _auditKey = auditKey ?? AuditKey.LoadOrCreate(Path.Combine(directory ?? ".", DefaultAuditKeyFile));
        _pool = new SqliteConnectionPool(fullPath);
    }

    /// <summary>The file beside the database that holds the audit key when none is given.</summary>
    public const string DefaultAuditKeyFile = "audit.key";

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    public async Task MigrateAsync(CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            var connection = _pool.Rent();
            try
            {
                await connection.Db.ExecuteAsync(SqliteMigrations.CreateVersionTable);

                // A file a newer Bulwark has migrated may hold data this version would misread.
                var newest = await connection.Db.ExecuteScalarAsync<long?>("SELECT max(version) FROM schema_migrations");
                if (newest > SqliteMigrations.All[^1].Version)
                {
                    throw new InvalidOperationException(
                        $"The database {DatabasePath} has schema version {newest}, newer than this Bulwark knows "
                        + $"({SqliteMigrations.All[^1].Version}); upgrade Bulwark before opening it.");
                }

                foreach (var migration in SqliteMigrations.All)
                {
                    ct.ThrowIfCancellationRequested();

                    // Each step in its own immediate transaction, re-checking the version inside it:
                    // two processes starting together on a fresh file apply every step exactly once.
                    using var transaction = connection.Db.BeginTransaction(deferred: false);
                    var applied = await connection.Db.ExecuteScalarAsync<long>(
                        "SELECT count(*) FROM schema_migrations WHERE version = @Version",
                        new { migration.Version },
                        transaction);
                    if (applied == 0)
                    {
                        await connection.Db.ExecuteAsync(migration.Sql, transaction: transaction);
                        await connection.Db.ExecuteAsync(
                            "INSERT INTO schema_migrations (version, name, applied_at) "
                            + "VALUES (@Version, @Name, CAST(strftime('%s', 'now') AS INTEGER) * 1000)",
                            new { migration.Version, migration.Name },
                            transaction);
                    }

                    transaction.Commit();
                }
            }
            finally
            {
                _pool.Return(connection);
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            return await ReadAsync(async c => await c.Db.ExecuteScalarAsync<long>("SELECT 1") == 1, ct);
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _pool.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction: all of it commits, or (on any
    /// exception, including a refused fence) none of it does.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<StoreConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            var connection = _pool.Rent();
            try
            {
                // BEGIN IMMEDIATE takes the write lock before the first read. A deferred transaction
                // that reads and then writes fails with SQLITE_BUSY at its first write when another
                // process committed in between (busy_timeout cannot help an upgrade); an immediate one
                // simply waits its turn, and what it read stays true until it commits.
                using var transaction = connection.Db.BeginTransaction(deferred: false);
                var result = await work(connection, transaction);
                transaction.Commit();
                return result;
            }
            finally
            {
                _pool.Return(connection);
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Runs a read on a pooled connection. WAL readers never wait for the writer.</summary>
    private async Task<T> ReadAsync<T>(Func<StoreConnection, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var connection = _pool.Rent();
        try
        {
            return await work(connection);
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    /// <summary>A read of several statements that must see one snapshot.</summary>
    private Task<T> ReadSnapshotAsync<T>(Func<StoreConnection, SqliteTransaction, Task<T>> work, CancellationToken ct) =>
        ReadAsync(
            async c =>
            {
                using var transaction = c.Db.BeginTransaction(deferred: true);
                var result = await work(c, transaction);
                transaction.Commit();
                return result;
            },
            ct);
}
