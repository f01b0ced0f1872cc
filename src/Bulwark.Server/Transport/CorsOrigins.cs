using Bulwark.Server.Hosting;

namespace Bulwark.Server.Transport;

/// <summary>
/// The browser origins allowed to call the API (NET-4, <c>BULWARK_CORS_ORIGINS</c>): exact
/// origins such as <c>https://app.example.com</c>, comma-separated. Never <c>*</c>, never a
/// pattern: an origin is either listed or gets no CORS answer at all.
/// </summary>
public sealed class CorsOrigins
{
    private readonly HashSet<string> _origins;

    private CorsOrigins(IReadOnlyList<string> origins)
    {
        All = origins;
        _origins = new HashSet<string>(origins, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Each origin as <c>scheme://host[:port]</c>, the form a browser sends in <c>Origin</c>.</summary>
    public IReadOnlyList<string> All { get; }

    public bool IsEmpty => All.Count == 0;

    public bool Allows(string? origin) => !string.IsNullOrEmpty(origin) && _origins.Contains(origin);

    /// <summary>Throws <see cref="BulwarkSettingsException"/> naming the first entry that is not an exact origin.</summary>
    public static CorsOrigins Parse(string? text)
    {
        var origins = new List<string>();
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            origins.Add(ParseOne(entry));
        }

        return new CorsOrigins(origins);
    }

    private static string ParseOne(string entry)
    {
        if (entry.Contains('*', StringComparison.Ordinal))
        {
            throw new BulwarkSettingsException(
                $"BULWARK_CORS_ORIGINS may not hold '*' or a pattern ('{entry}'); list each origin exactly, like https://app.example.com.");
        }

        if (!Uri.TryCreate(entry, UriKind.Absolute, out var url)
            || url.Scheme is not ("http" or "https")
            || string.IsNullOrEmpty(url.Host)
            || url.UserInfo.Length > 0
            || url.AbsolutePath != "/"
            || url.Query.Length > 0
            || url.Fragment.Length > 0)
        {
            throw new BulwarkSettingsException(
                $"BULWARK_CORS_ORIGINS entry '{entry}' is not an origin; write scheme://host[:port] without a path, like https://app.example.com.");
        }

        // The form a browser sends: lower-case scheme and host, the default port left out.
        return url.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }
}
