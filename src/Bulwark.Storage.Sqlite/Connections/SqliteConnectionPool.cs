using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite.Connections;

/// <summary>
/// Open connections kept for reuse, each configured once. Microsoft.Data.Sqlite's own pool is
/// turned off so that the per-connection pragmas are known to be set on every connection we hand
/// out, and so that disposing the store really closes the file (tests delete it; the CLI exits).
/// </summary>
internal sealed class SqliteConnectionPool : IDisposable
{
    // busy_timeout: another process (the CLI next to the server) may hold the write lock for a
    // moment; waiting beats failing. WAL lets readers run while one writer commits, and NORMAL
    // sync is durable across process crashes in WAL mode (only an OS crash can lose the last commit).
    private const string Pragmas =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;";

    private readonly string _connectionString;
    private readonly ConcurrentBag<StoreConnection> _idle = [];
    private volatile bool _disposed;

    public SqliteConnectionPool(string databasePath)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
    }

    public StoreConnection Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var idle))
        {
            return idle;
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
            return new StoreConnection(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Return(StoreConnection connection)
    {
        if (_disposed || connection.Db.State != System.Data.ConnectionState.Open)
        {
            connection.Dispose();
            return;
        }

        _idle.Add(connection);

        // Dispose may have run between the check and the Add: make sure nothing stays open.
        if (_disposed)
        {
            DrainIdle();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        DrainIdle();
    }

    private void DrainIdle()
    {
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }
}
