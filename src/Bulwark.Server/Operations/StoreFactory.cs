using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Bulwark.Storage.Postgres;
using Bulwark.Storage.Sqlite;
using Npgsql;

namespace Bulwark.Server.Operations;

/// <summary>
/// Opens the store the options name and migrates it (OPS-1): PostgreSQL when <c>BULWARK_DATABASE</c>
/// is a PostgreSQL connection string, else the embedded SQLite file. Operator commands and the server share it.
/// </summary>
public static class StoreFactory
{
    public static async Task<IBulwarkStore> OpenAsync(BulwarkOptions options, CancellationToken ct)
    {
        var store = PostgresConnectionStrings.IsPostgres(options.Database)
            ? OpenPostgres(options)
            : (IBulwarkStore)new SqliteStore(options.DatabasePath, AuditSettings.KeyFor(options));
        try
        {
            await store.MigrateAsync(ct);
            return store;
        }
        catch (Exception e) when (SetupSentence(e) is { } sentence)
        {
            await store.DisposeAsync();
            throw new BulwarkSettingsException(sentence);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    private static PostgresStore OpenPostgres(BulwarkOptions options)
    {
        // Both strings usually hold a password: a problem with either is named, never repeated.
        var application = Convert(options.Database!, "BULWARK_DATABASE");
        var owner = string.IsNullOrWhiteSpace(options.DatabaseOwner) ? null : Convert(options.DatabaseOwner, "BULWARK_DATABASE_OWNER");
        // AUD-2: before anything connects, so a node without the shared key never starts.
        return new PostgresStore(new PostgresStoreOptions(application, owner) { AuditKey = AuditSettings.KeyFor(options) });
    }

    private static string Convert(string value, string setting)
    {
        string converted;
        try
        {
            converted = PostgresConnectionStrings.ToNpgsql(value);
        }
        catch (ArgumentException e)
        {
            var parameter = $" (Parameter '{e.ParamName}')";
            throw new BulwarkSettingsException($"{setting}: {(e.Message.EndsWith(parameter, StringComparison.Ordinal) ? e.Message[..^parameter.Length] : e.Message)}");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(converted);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            // Npgsql's own text may quote the value.
            throw new BulwarkSettingsException($"{setting} holds a keyword or value Npgsql does not accept.");
        }

        return converted;
    }

    /// <summary>
    /// AUTHZ-4: an unsafe database setup (PostgresSetupException) or an unreachable server is a
    /// start-up refusal in one sentence, like a bad setting; the connection string is not repeated.
    /// </summary>
    private static string? SetupSentence(Exception e) => e switch
    {
        PostgresSetupException setup => setup.Message,
        PostgresException refused =>
            $"PostgreSQL refused Bulwark's connection or migration ({refused.SqlState}: {refused.MessageText}).",
        // Npgsql names the host and port it tried, never the password.
        NpgsqlException unreachable => $"The PostgreSQL server could not be reached: {unreachable.Message}",
        _ => null,
    };
}
