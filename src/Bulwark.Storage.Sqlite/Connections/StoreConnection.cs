using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite.Connections;

/// <summary>
/// An open connection and the prepared statements of the queue's hot path. Dapper prepares a
/// statement anew on every call; for claim, heartbeat, complete and enqueue that compiling is a
/// large share of the cost, so each connection keeps its compiled commands and rebinds them.
/// </summary>
internal sealed class StoreConnection(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);

    /// <summary>The connection itself, for Dapper on the paths that are not hot.</summary>
    public SqliteConnection Db => connection;

    /// <summary>
    /// This connection's command for <paramref name="sql"/> (a constant: one cache entry per
    /// statement), enlisted in <paramref name="transaction"/>. Parameters keep their last values
    /// until set again with <see cref="SqliteCommandExtensions.Bind"/>.
    /// </summary>
    public SqliteCommand Prepared(string sql, SqliteTransaction? transaction)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _prepared.Add(sql, command);
        }

        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }

        _prepared.Clear();
        connection.Dispose();
    }
}
