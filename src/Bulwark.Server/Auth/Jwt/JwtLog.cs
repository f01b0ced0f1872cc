using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Auth.Jwt;

internal static partial class JwtLog
{
    [LoggerMessage(4101, LogLevel.Information, "Fetched {Count} signing key(s) from JWKS {Url}")]
    public static partial void JwksFetched(ILogger logger, Uri url, int count);

    [LoggerMessage(4102, LogLevel.Warning, "JWKS fetch from {Url} failed; keeping the last good keys and retrying in {Seconds} s: {Error}")]
    public static partial void JwksFetchFailed(ILogger logger, Uri url, double seconds, string error);

    [LoggerMessage(4103, LogLevel.Information, "Provisioned user {Subject} in tenant {Tenant} on first sign-in")]
    public static partial void UserProvisioned(ILogger logger, string subject, string tenant);

    [LoggerMessage(4104, LogLevel.Critical, "BULWARK_AUTH_MODE=none: every request is the default tenant's admin (loopback only, development only)")]
    public static partial void AuthNone(ILogger logger);
}
