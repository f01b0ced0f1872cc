using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bulwark.Server.Hosting;

/// <summary>
/// Turns <see cref="BulwarkOptions.Urls"/> (<c>;</c>-separated, as <c>UseUrls</c> took them) into
/// explicit Kestrel listeners, so the runtime socket can be added beside them: Kestrel ignores
/// <c>UseUrls</c> once any listener is configured in code.
/// </summary>
internal static class KestrelAddresses
{
    /// <param name="https">How an https:// address is set up (AUTH-4, NET-4); null: https addresses are refused.</param>
    public static void Listen(KestrelServerOptions kestrel, string urls, Action<ListenOptions>? https = null)
    {
        foreach (var text in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(text.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                    UriKind.Absolute, out var url)
                || (url.Scheme != "http" && !(url.Scheme == "https" && https is not null)))
            {
                // https:// needs a server certificate (BULWARK_TLS_CERTIFICATE_PATH, NET-4); else terminate TLS in front.
                throw new BulwarkSettingsException($"BULWARK_URLS '{text}' is not an http:// URL (https:// needs BULWARK_TLS_CERTIFICATE_PATH).");
            }

            Action<ListenOptions> configure = url.Scheme == "https" ? https! : _ => { };
            var port = url.Port;
            if (url.Host == "0.0.0.0")
            {
                kestrel.ListenAnyIP(port, configure);
            }
            else if (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address))
            {
                kestrel.Listen(address, port, configure);
            }
            else if (string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                // Kestrel cannot pick one dynamic port for both loopbacks; port 0 means IPv4 loopback.
                if (port == 0)
                {
                    kestrel.Listen(IPAddress.Loopback, 0, configure);
                }
                else
                {
                    kestrel.ListenLocalhost(port, configure);
                }
            }
            else
            {
                throw new BulwarkSettingsException(
                    $"BULWARK_URLS '{text}' names host '{url.Host}'; use an IP address, localhost, or * (all addresses).");
            }
        }
    }
}
