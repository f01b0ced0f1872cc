using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Flags;

internal static partial class FlagsLog
{
    [LoggerMessage(4700, LogLevel.Warning, "Feature flags could not be read from the store; the last values stay in force for now")]
    public static partial void RefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(4701, LogLevel.Error, "Feature flags could not be read from the store {Missed} times in a row: every feature is treated as OFF (guards ON) until the store answers again (FLAG-2)")]
    public static partial void FailingSafe(ILogger logger, int missed);

    [LoggerMessage(4702, LogLevel.Information, "Feature flags are read from the store again; their values are back in force")]
    public static partial void Recovered(ILogger logger);

    [LoggerMessage(4703, LogLevel.Warning, "Feature flag {Flag} set {Value} for tenant {Tenant} by {Actor}")]
    public static partial void TenantFlagSet(ILogger logger, string flag, string value, string tenant, string actor);
}
