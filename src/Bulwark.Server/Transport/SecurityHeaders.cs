using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Transport;

/// <summary>
/// The headers every response carries (NET-4): the API serves JSON only, so nothing may frame it,
/// sniff it, cache it, leak a referrer or load it cross-origin; HSTS on https responses only
/// (over plain http a browser ignores it, and a proxy in front that terminates TLS sets its own).
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>No browser feature is needed by a JSON API; each is refused to any document that embeds it.</summary>
    public const string PermissionsPolicy = "camera=(), geolocation=(), microphone=(), payment=(), usb=()";

    /// <summary>Outermost, so the headers reach error, status-code and CORS answers alike.</summary>
    public static void UseSecurityHeaders(this WebApplication app)
    {
        var hsts = $"max-age={app.Services.GetRequiredService<BulwarkOptions>().HstsMaxAgeSeconds}; includeSubDomains";
        app.Use((http, next) =>
        {
            // At response start, not now: the exception handler clears the headers of a failed request.
            http.Response.OnStarting(() =>
            {
                Apply(http, hsts);
                return Task.CompletedTask;
            });
            return next(http);
        });
    }

    private static void Apply(HttpContext http, string hsts)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = PermissionsPolicy;
        if (http.Request.IsHttps)
        {
            headers.StrictTransportSecurity = hsts;
        }
    }
}
