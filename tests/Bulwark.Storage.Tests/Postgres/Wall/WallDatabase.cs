using Bulwark.Core.Audit;
using Bulwark.Storage.Postgres;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// A fresh database migrated by the real store and seeded with <see cref="TwoTenants"/>, with a
/// raw connection for each login: the application (what the wall must hold against), the owner
/// (who can take the wall down, for the mutation tests) and the superuser (inspection only).
/// </summary>
public sealed class WallDatabase : IAsyncDisposable
{
    private WallDatabase(PostgresTestDatabase database, PostgresStore store, TwoTenants tenants)
    {
        Database = database;
        Store = store;
        Tenants = tenants;
    }

    public PostgresTestDatabase Database { get; }

    public PostgresStore Store { get; }

    public TwoTenants Tenants { get; }

    public static async Task<WallDatabase> CreateAsync()
    {
        var database = await PostgresTestDatabase.CreateAsync();
        var store = new PostgresStore(new PostgresStoreOptions(database.AppConnectionString, database.OwnerConnectionString) { AuditKey = AuditKey.Generate() });
        try
        {
            await store.MigrateAsync(CancellationToken.None);
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
            var tenants = await TwoTenants.SeedAsync(store, clock, CancellationToken.None);
            return new WallDatabase(database, store, tenants);
        }
        catch
        {
            await store.DisposeAsync();
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>The application login, unpooled: each call is a new physical connection with nothing set.</summary>
    public Task<NpgsqlConnection> OpenAppAsync() => WallSql.OpenAsync(Unpooled(Database.AppConnectionString));

    public Task<NpgsqlConnection> OpenOwnerAsync() => WallSql.OpenAsync(Unpooled(Database.OwnerConnectionString));

    public Task<NpgsqlConnection> OpenSuperuserAsync() => WallSql.OpenAsync(Unpooled(Database.SuperuserConnectionString));

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await Database.DisposeAsync();
    }

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString();
}
