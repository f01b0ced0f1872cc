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

    protected override Task DeleteStoreAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
