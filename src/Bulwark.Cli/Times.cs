using System.Globalization;

namespace Bulwark.Cli;

/// <summary>How the CLI prints instants: RFC 3339 UTC to the second, as the API does.</summary>
internal static class Times
{
    public static string Format(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
}
