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
}
