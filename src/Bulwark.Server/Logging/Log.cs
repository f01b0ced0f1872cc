using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Logging;

/// <summary>Every log line the server writes, source-generated (no string building on hot paths).</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Error, "Unhandled error on {Method} {Path}")]
    public static partial void UnhandledError(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(1001, LogLevel.Warning, "Refused {Reason} from {Remote}")]
    public static partial void AuthRefused(ILogger logger, string reason, string remote);

    [LoggerMessage(2000, LogLevel.Information, "Claimed job {JobId} attempt {Attempt}")]
    public static partial void Claimed(ILogger logger, string jobId, int attempt);

    [LoggerMessage(2001, LogLevel.Information, "Job {JobId} attempt {Attempt} ended {State} ({Reason})")]
    public static partial void AttemptEnded(ILogger logger, string jobId, int attempt, string state, string reason);

    [LoggerMessage(2002, LogLevel.Warning, "Job {JobId} attempt {Attempt} lost its lease; its result is discarded")]
    public static partial void LeaseLost(ILogger logger, string jobId, int attempt);

    [LoggerMessage(2003, LogLevel.Error, "Worker loop failed; retrying")]
    public static partial void WorkerLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(2004, LogLevel.Error, "Job {JobId} attempt {Attempt} failed inside the worker")]
    public static partial void RunFailed(ILogger logger, string jobId, int attempt, Exception exception);

    [LoggerMessage(2005, LogLevel.Information, "Reaper returned {Count} job(s) with expired leases")]
    public static partial void Reaped(ILogger logger, int count);

    [LoggerMessage(2006, LogLevel.Error, "Reaper failed; retrying")]
    public static partial void ReaperFailed(ILogger logger, Exception exception);

    [LoggerMessage(2007, LogLevel.Warning, "Queue depth sample failed; the gauge keeps the last sample")]
    public static partial void QueueDepthSampleFailed(ILogger logger, Exception exception);

    [LoggerMessage(2008, LogLevel.Warning, "Job {JobId} attempt {Attempt}: live output could not be stored yet; it is kept for the next write")]
    public static partial void LiveOutputFailed(ILogger logger, string jobId, int attempt, Exception exception);

    [LoggerMessage(3001, LogLevel.Critical, "BULWARK_SANDBOX=none: script jobs run UNCONFINED (development only)")]
    public static partial void SandboxUnconfined(ILogger logger);

    [LoggerMessage(3000, LogLevel.Warning, "Sandbox unusable: {Detail}. Script jobs will be refused.")]
    public static partial void SandboxUnusable(ILogger logger, string detail);
}
