using Bulwark.Core.Storage;
using Bulwark.Storage.Postgres;
using Bulwark.Storage.Tests.Conformance;
using Npgsql;

namespace Bulwark.Storage.Tests.Postgres;

/// <summary>
/// The conformance suite on a fresh PostgreSQL database per test, reached as the application login
/// (owns nothing) and migrated as the owner login. Raw statements run as the owner, the strongest
/// login short of superuser: the database itself must refuse what the suite says it refuses.
/// </summary>
public sealed class PostgresStoreConformanceTests : StoreConformanceTests
{
    private PostgresTestDatabase? _database;

    private PostgresTestDatabase Database =>
        _database ?? throw new InvalidOperationException("CreateStoreAsync has not run.");

    private PostgresStoreOptions Options => new(Database.AppConnectionString, Database.OwnerConnectionString) { AuditKey = AuditKey };

    protected override async Task<IBulwarkStore> CreateStoreAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        return new PostgresStore(Options);
    }

    protected override Task<IBulwarkStore> ReopenStoreAsync() => Task.FromResult<IBulwarkStore>(new PostgresStore(Options));

    protected override async Task ExecuteRawAsync(string sql)
    {
        var owner = new NpgsqlConnectionStringBuilder(Database.OwnerConnectionString) { SearchPath = PostgresSchema.SchemaName, Pooling = false };
        await using var connection = new NpgsqlConnection(owner.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    // The cluster superuser passes row-level security; replica mode turns the append-only triggers off.
    protected override Task TamperAsync(string sql) => Database.ExecuteAsSuperuserAsync(
        $"SET search_path = {PostgresSchema.SchemaName}; SET session_replication_role = replica; {sql}");

    // Every text column of every table of the schema, as the catalog lists them (the superuser sees every row).
    protected override async Task<List<string>> CellsHoldingAsync(string value)
    {
        await using var connection = new NpgsqlConnection(Database.SuperuserConnectionString);
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column)>();
        await using (var list = new NpgsqlCommand(
                         "SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t "
                         + "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                         + "WHERE c.table_schema = @schema AND t.table_type = 'BASE TABLE' AND c.data_type = 'text'",
                         connection))
        {
            list.Parameters.AddWithValue("schema", PostgresSchema.SchemaName);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var cells = new List<string>();
        foreach (var (table, column) in columns)
        {
            await using var count = new NpgsqlCommand(
                $"SELECT count(*) FROM {PostgresSchema.SchemaName}.\"{table}\" WHERE \"{column}\" = @value", connection);
            count.Parameters.AddWithValue("value", value);
            cells.AddRange(Enumerable.Repeat($"{table}.{column}", (int)(long)(await count.ExecuteScalarAsync())!));
        }

        return cells;
    }

    protected override async Task DeleteStoreAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
