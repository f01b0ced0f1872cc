using System.Net;
using System.Text;
using Bulwark.Server.Auth.Jwt;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Auth;

/// <summary>
/// Which credentials this server accepts (AUTH-1), parsed from <see cref="BulwarkOptions.AuthMode"/>:
/// any of <c>api_key</c>, <c>jwt</c>, <c>mtls</c>, or <c>none</c> alone.
/// </summary>
internal sealed record AuthModes(bool ApiKey, bool Jwt, bool Mtls, bool None)
{
    public const string ApiKeyMode = "api_key";
    public const string JwtMode = "jwt";
    public const string MtlsMode = "mtls";
    public const string NoneMode = "none";

    /// <summary>Null when <paramref name="text"/> is not a valid mode list.</summary>
    public static AuthModes? Parse(string? text)
    {
        var parts = (text ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            return null;
        }

        bool apiKey = false, jwt = false, mtls = false, none = false;
        foreach (var part in parts)
        {
            switch (part.ToLowerInvariant())
            {
                case ApiKeyMode: apiKey = true; break;
                case JwtMode: jwt = true; break;
                case MtlsMode: mtls = true; break;
                case NoneMode: none = true; break;
                default: return null;
            }
        }

        // `none` beside a real mode would make the real one pointless and hide the danger.
        return none && parts.Length > 1 ? null : new AuthModes(apiKey, jwt, mtls, none);
    }

    /// <summary>The first authentication setting that must be fixed before the server may start (AUTHZ-4), or null.</summary>
    public static string? FirstProblem(BulwarkOptions o)
    {
        if (Parse(o.AuthMode) is not { } modes)
        {
            return $"BULWARK_AUTH_MODE must be any of api_key,jwt,mtls (comma-separated) or none alone, not '{o.AuthMode}'.";
        }

        if (modes.None && !EveryUrlIsLoopback(o.Urls))
        {
            return $"BULWARK_AUTH_MODE=none makes every caller an admin and is allowed only when every BULWARK_URLS address is loopback "
                + $"(127.0.0.1, ::1, localhost); BULWARK_URLS is '{o.Urls}'.";
        }

        // A short HMAC secret can be brute-forced offline from any one token it signed.
        if (!string.IsNullOrEmpty(o.JwtSecret) && Encoding.UTF8.GetByteCount(o.JwtSecret) < JwtSettings.MinSecretBytes)
        {
            return $"BULWARK_JWT_SECRET must be at least {JwtSettings.MinSecretBytes} bytes.";
        }

        return JwtSettings.FirstProblem(o, modes.Jwt);
    }

    private static bool EveryUrlIsLoopback(string urls)
    {
        var any = false;
        foreach (var text in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            any = true;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
            {
                return false;
            }

            var host = url.Host.Trim('[', ']');
            var loopback = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
            if (!loopback)
            {
                return false;
            }
        }

        return any;
    }
}
