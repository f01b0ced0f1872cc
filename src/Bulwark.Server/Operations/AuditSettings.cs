using Bulwark.Core.Audit;
using Bulwark.Server.Hosting;
using Bulwark.Storage.Postgres;
using Bulwark.Storage.Sqlite;

namespace Bulwark.Server.Operations;

/// <summary>
/// The audit key (AUD-2). The key is read from
/// <c>BULWARK_AUDIT_KEY</c> (hex or base64, at least 32 bytes); unset, the embedded store keeps a
/// generated one in <c>{DataDir}/audit.key</c> (0600), while PostgreSQL refuses to start, since
/// every node sharing the database must seal with the same key. No message ever repeats the key.
/// </summary>
public static class AuditSettings
{
    public static void Validate(BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.AuditKey))
        {
            Parse(options.AuditKey);
        }
    }

    /// <summary>The key the store seals with; see the type's summary for the rules.</summary>
    public static AuditKey KeyFor(BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.AuditKey))
        {
            return Parse(options.AuditKey);
        }

        if (PostgresConnectionStrings.IsPostgres(options.Database))
        {
            throw new BulwarkSettingsException(
                "BULWARK_AUDIT_KEY must be set with PostgreSQL: every node sealing the shared audit chain needs the same key "
                + "(at least 32 bytes, hex or base64, kept outside the database).");
        }

        try
        {
            return AuditKey.LoadOrCreate(Path.Combine(options.DataDir, SqliteStore.DefaultAuditKeyFile));
        }
        catch (FormatException e)
        {
            throw new BulwarkSettingsException(e.Message);
        }
    }

    private static AuditKey Parse(string text)
    {
        try
        {
            return AuditKey.Parse(text);
        }
        catch (FormatException e)
        {
            throw new BulwarkSettingsException(e.Message);
        }
    }
}
