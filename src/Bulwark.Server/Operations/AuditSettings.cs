using Bulwark.Core.Audit;
using Bulwark.Server.Hosting;
using Bulwark.Storage.Postgres;
using Bulwark.Storage.Sqlite;

namespace Bulwark.Server.Operations;

/// <summary>
/// The audit key and the retention windows (AUD-2, AUD-3). The key is read from
/// <c>BULWARK_AUDIT_KEY</c> (hex or base64, at least 32 bytes); unset, the embedded store keeps a
/// generated one in <c>{DataDir}/audit.key</c> (0600), while PostgreSQL refuses to start, since
/// every node sharing the database must seal with the same key. No message ever repeats the key.
/// </summary>
public static class AuditSettings
{
    /// <summary>Seed 002: audit logs are retained for one year at least (compliance).</summary>
    public const int MinimumAuditDays = 365;

    public const int MaximumDays = 36_500;

    public static void Validate(BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.AuditKey))
        {
            Parse(options.AuditKey);
        }

        if (options.RetentionAuditDays is < MinimumAuditDays or > MaximumDays)
        {
            throw new BulwarkSettingsException(
                $"BULWARK_RETENTION_AUDIT_DAYS must be between {MinimumAuditDays} (audit logs are kept a year at least) and {MaximumDays}.");
        }

        if (options.RetentionJobsDays is < 1 or > MaximumDays)
        {
            throw new BulwarkSettingsException($"BULWARK_RETENTION_JOBS_DAYS must be between 1 and {MaximumDays}.");
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

    /// <summary>What a sweep at <paramref name="now"/> removes.</summary>
    public static RetentionCutoffs CutoffsAt(BulwarkOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RetentionCutoffs(now - TimeSpan.FromDays(options.RetentionAuditDays), now - TimeSpan.FromDays(options.RetentionJobsDays));
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
