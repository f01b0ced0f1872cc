using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Revocation;

internal static partial class RevocationLog
{
    [LoggerMessage(4100, LogLevel.Error, "Revocation refresh failed; the last snapshot stays in force")]
    public static partial void RefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(4101, LogLevel.Warning, "Revoked {Kind} in tenant {Tenant} by {Actor}")]
    public static partial void Revoked(ILogger logger, string kind, string tenant, string actor);
}
