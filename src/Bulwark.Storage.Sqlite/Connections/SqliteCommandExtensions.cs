using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite.Connections;

internal static class SqliteCommandExtensions
{
    /// <summary>Sets a parameter, creating it on first use; null binds SQL NULL.</summary>
    public static SqliteCommand Bind(this SqliteCommand command, string name, object? value)
    {
        var index = command.Parameters.IndexOf(name);
        if (index < 0)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        else
        {
            command.Parameters[index].Value = value ?? DBNull.Value;
        }

        return command;
    }
}
