using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Worker;

internal static partial class WorkerLog
{
    [LoggerMessage(4801, LogLevel.Warning, "Worker API refused a request ({Reason}) from {Remote}")]
    public static partial void Refused(ILogger logger, string reason, string remote);

    [LoggerMessage(4802, LogLevel.Information, "Remote worker {WorkerId} claimed {Count} job(s)")]
    public static partial void Claimed(ILogger logger, string workerId, int count);

    [LoggerMessage(4803, LogLevel.Warning, "Remote worker loop failed; retrying")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(4805, LogLevel.Information, "Remote worker stopping; {Count} run(s) in flight are killed and left to expire")]
    public static partial void Stopping(ILogger logger, int count);
}
