using Bulwark.Server.Hosting;

namespace Bulwark.Server.Transport;

/// <summary>Start-time checks of the transport settings (NET-4); each message names the setting.</summary>
public static class TransportSettings
{
    /// <summary>Two years, the longest max-age the HSTS preload list asks for.</summary>
    public const int MaxHstsSeconds = 63_072_000;

    public static void Validate(BulwarkOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.HstsMaxAgeSeconds is < 0 or > MaxHstsSeconds)
        {
            throw new BulwarkSettingsException($"BULWARK_HSTS_MAX_AGE_SECONDS must be between 0 and {MaxHstsSeconds}.");
        }

        CorsOrigins.Parse(o.CorsOrigins);
        if (!string.IsNullOrWhiteSpace(o.TlsCertificatePath))
        {
            // Missing, unreadable or expired: refused before anything listens.
            using var certificate = ServerCertificateFile.Load(o, DateTimeOffset.UtcNow);
        }
    }
}
