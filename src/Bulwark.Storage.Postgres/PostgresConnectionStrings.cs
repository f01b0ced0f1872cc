using Npgsql;

namespace Bulwark.Storage.Postgres;

/// <summary>
/// Tells a PostgreSQL connection string from a SQLite path, and turns the <c>postgres://</c> URL
/// form operators copy from hosting dashboards into the key/value form Npgsql reads. Errors never
/// repeat the value: it usually holds a password.
/// </summary>
public static class PostgresConnectionStrings
{
    private const string UrlShape = "postgres://user:password@host:5432/database";

    // URL query parameters (libpq names) and the Npgsql keyword each one becomes.
    private static readonly Dictionary<string, string> QueryKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslpassword"] = "SSL Password",
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
    };

    /// <summary>True for <c>postgres://</c> / <c>postgresql://</c> URLs and key/value strings with a <c>Host</c> key.</summary>
    public static bool IsPostgres(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var trimmed = value.Trim();
        return IsUrl(trimmed) || HasHostKey(trimmed);
    }

    /// <summary>
    /// The Npgsql key/value form of <paramref name="value"/>: a URL is converted (user and password
    /// percent-decoded), a key/value string is returned as it is. Throws <see cref="ArgumentException"/>
    /// for anything else.
    /// </summary>
    public static string ToNpgsql(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("The PostgreSQL connection string is empty.", nameof(value));
        }

        var trimmed = value.Trim();
        if (IsUrl(trimmed))
        {
            return FromUrl(trimmed);
        }

        if (HasHostKey(trimmed))
        {
            return trimmed;
        }

        throw new ArgumentException(
            $"The value is not a PostgreSQL connection string: use Host=…;Database=…;Username=… or {UrlShape}.", nameof(value));
    }

    private static bool IsUrl(string value) =>
        value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    private static bool HasHostKey(string value)
    {
        foreach (var part in value.Split(';'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part[..equals].Trim().Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string FromUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw BadUrl("it must look like " + UrlShape);
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host.Trim('[', ']') };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = colon < 0 ? uri.UserInfo : uri.UserInfo[..colon];
            if (user.Length > 0)
            {
                builder.Username = Uri.UnescapeDataString(user);
            }

            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Contains('/', StringComparison.Ordinal))
        {
            throw BadUrl("the path after the host must be the database name alone");
        }

        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var setting = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!QueryKeywords.TryGetValue(name, out var keyword))
            {
                throw BadUrl($"the query parameter '{name}' is not one Bulwark knows ({string.Join(", ", QueryKeywords.Keys)})");
            }

            try
            {
                builder[keyword] = keyword == "SSL Mode" ? SslMode(setting) : setting;
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw BadUrl($"the value of the query parameter '{name}' is not valid");
            }
        }

        return builder.ConnectionString;
    }

    // libpq spells the verifying modes with a dash; Npgsql's enum names have none.
    private static string SslMode(string value) => value.Replace("-", "", StringComparison.Ordinal);

    private static ArgumentException BadUrl(string why) =>
        new($"The PostgreSQL URL is not valid: {why}.", "value");
}
