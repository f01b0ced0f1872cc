using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Bulwark.Storage.Sqlite;

namespace Bulwark.Server.Operations;

/// <summary>Opens the store the options name and migrates it. Operator commands and the server share it.</summary>
public static class StoreFactory
{
    public static async Task<IBulwarkStore> OpenAsync(BulwarkOptions options, CancellationToken ct)
    {
        var database = options.Database ?? "";
        if (database.StartsWith("Host=", StringComparison.OrdinalIgnoreCase)
            || database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            throw new BulwarkSettingsException(
                "BULWARK_DATABASE names a PostgreSQL server, but this version runs only on the embedded SQLite store.");
        }

        var store = new SqliteStore(options.DatabasePath);
        try
        {
            await store.MigrateAsync(ct);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }
}
