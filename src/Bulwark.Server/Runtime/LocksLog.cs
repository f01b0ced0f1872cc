using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Runtime;

/// <summary>Fence violations as structured security log lines (AUD-4), beside their audit entries.</summary>
internal static partial class LocksLog
{
    [LoggerMessage(1201, LogLevel.Warning,
        "SECURITY fence_violation: {Reason} for fence {Fence} by job {JobId} of tenant {TenantId}; nothing written")]
    public static partial void FenceViolation(ILogger logger, string reason, string fence, string jobId, string tenantId);
}
