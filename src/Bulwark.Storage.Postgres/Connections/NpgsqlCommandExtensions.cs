using Npgsql;

namespace Bulwark.Storage.Postgres.Connections;

internal static class NpgsqlCommandExtensions
{
    /// <summary>Adds a parameter; null binds SQL NULL, its type inferred by the server from where it is used.</summary>
    public static NpgsqlCommand Bind(this NpgsqlCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>Adds a statement to the batch and returns it, for its parameters.</summary>
    public static NpgsqlBatchCommand Add(this NpgsqlBatch batch, string sql)
    {
        var command = new NpgsqlBatchCommand(sql);
        batch.BatchCommands.Add(command);
        return command;
    }

    /// <inheritdoc cref="Bind(NpgsqlCommand, string, object?)"/>
    public static NpgsqlBatchCommand Bind(this NpgsqlBatchCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
