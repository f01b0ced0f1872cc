using Bulwark.Storage.Postgres;
using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// Raw SQL, bypassing the store: the wall tests talk to PostgreSQL as the application login would
/// if the C# code forgot every check, so that what they prove is the database's refusal.
/// </summary>
public static class WallSql
{
    public static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>
    /// Starts a transaction carrying <paramref name="tenantId"/> exactly as the store does
    /// (<c>set_config(…, true)</c>: transaction-local); null sets nothing.
    /// </summary>
    public static async Task<NpgsqlTransaction> BeginAsTenantAsync(NpgsqlConnection connection, string? tenantId)
    {
        var transaction = await connection.BeginTransactionAsync();
        if (tenantId is not null)
        {
            await ExecuteAsync(connection, "SELECT set_config(@setting, @tenant, true)",
                ("setting", PostgresSchema.TenantSetting), ("tenant", tenantId));
        }

        return transaction;
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)value;
    }

    public static async Task<List<T>> ListAsync<T>(
        NpgsqlConnection connection,
        string sql,
        Func<NpgsqlDataReader, T> read,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Runs <paramref name="sql"/> expecting PostgreSQL to refuse it; null when it was not refused.</summary>
    public static async Task<PostgresException?> RefusalAsync(NpgsqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        try
        {
            await ExecuteAsync(connection, sql, parameters);
            return null;
        }
        catch (PostgresException e)
        {
            return e;
        }
    }

    /// <summary>A catalog name as a quoted SQL identifier (names come from pg_class, never from input).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary><c>"bulwark"."table"</c>.</summary>
    public static string Table(string table) => Quote(PostgresSchema.SchemaName) + "." + Quote(table);

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
