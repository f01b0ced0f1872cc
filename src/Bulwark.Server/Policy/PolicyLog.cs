using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Logging;

// Policy tokens' log lines (AUTHZ-3); never the token itself.
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Critical, "Action jobs are on and policy tokens are NOT required: action templates run without a policy token")]
    public static partial void PolicyTokensUnenforced(ILogger logger);

    [LoggerMessage(4001, LogLevel.Warning, "Refused policy token ({Reason}) for template {Template} of tenant {Tenant}")]
    public static partial void PolicyTokenRefused(ILogger logger, string reason, string template, string tenant);

    [LoggerMessage(4002, LogLevel.Warning, "Refused policy token issue for tenant {Tenant}: {Count} issued in the last hour")]
    public static partial void PolicyTokenRateLimited(ILogger logger, string tenant, int count);
}
