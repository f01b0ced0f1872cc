using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Auth.Mtls;

/// <summary>The security events of AUTH-4 as structured log lines (AUD-4), beside their audit entries.</summary>
internal static partial class MtlsLog
{
    [LoggerMessage(1101, LogLevel.Warning,
        "SECURITY untrusted_identity_header: header {Header} from {Remote}, not a trusted proxy, was ignored (claimed {Claimed})")]
    public static partial void UntrustedIdentityHeader(ILogger logger, string header, string remote, string claimed);
}
