using Bulwark.Core.Storage;
using Bulwark.Storage.Sqlite;
using Bulwark.Storage.Tests.Conformance;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Tests;

/// <summary>The conformance suite on a real SQLite file in a temp directory of its own, deleted after.</summary>
public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "bulwark-store-" + Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "data", "bulwark.db");

    protected override Task<IBulwarkStore> CreateStoreAsync() =>
        // The store creates the missing "data" directory itself.
        Task.FromResult<IBulwarkStore>(new SqliteStore(DatabasePath, AuditKey));

    protected override Task<IBulwarkStore> ReopenStoreAsync() =>
        Task.FromResult<IBulwarkStore>(new SqliteStore(DatabasePath, AuditKey));

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    // The real file through a raw connection; the attacker first drops the triggers that guard the table.
    protected override Task TamperAsync(string sql) => ExecuteRawAsync(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; " + sql);

    protected override async Task<List<string>> CellsHoldingAsync(string value)
    {
        await using var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        var cells = new List<string>();
        foreach (var table in await ListAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        {
            foreach (var column in await ListAsync(connection, $"SELECT name FROM pragma_table_info('{table}')"))
            {
                await using var count = connection.CreateCommand();
                count.CommandText = $"SELECT count(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) = $value";
                count.Parameters.AddWithValue("$value", value);
                cells.AddRange(Enumerable.Repeat($"{table}.{column}", (int)(long)(await count.ExecuteScalarAsync())!));
            }
        }

        return cells;
    }

    private static async Task<List<string>> ListAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }

    protected override Task DeleteStoreAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
