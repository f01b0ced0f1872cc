using System.Text;
using Bulwark.Core.Errors;

namespace Bulwark.Core.Runtime;

/// <summary>Lines a job writes through the runtime API (JOB-6, JOB-7): one stream, size-capped.</summary>
public static class RuntimeLogs
{
    /// <summary>The log stream of lines posted through the runtime API, beside stdout and stderr.</summary>
    public const string Stream = "runtime";

    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>Every stream a store accepts.</summary>
    public static bool IsKnownStream(string stream) => stream is "stdout" or "stderr" or Stream;

    /// <summary>The stores' argument check: throws unless <see cref="IsKnownStream"/>.</summary>
    public static void RequireStream(string stream)
    {
        if (!IsKnownStream(stream))
        {
            throw new ArgumentOutOfRangeException(nameof(stream), stream, "Not a log stream.");
        }
    }

    public static void ValidateMessage(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length > MaxMessageBytes || Encoding.UTF8.GetByteCount(message) > MaxMessageBytes)
        {
            throw new InvalidPayloadException($"A log message is at most {MaxMessageBytes} bytes.", "too_large");
        }
    }
}
