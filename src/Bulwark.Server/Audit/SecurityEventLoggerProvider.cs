using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Audit;

/// <summary>
/// Writes the <see cref="SecurityEventLog.Category"/> lines, each a JSON object, one per line to the
/// server's output (stdout under <c>bulwark serve</c>) — nothing else, so a log shipper can
/// take every line of that stream that starts with <c>{"timestamp"</c> as an event (AUD-4).
/// </summary>
internal sealed class SecurityEventLoggerProvider(TextWriter output) : ILoggerProvider
{
    private readonly Lock _write = new();

    public ILogger CreateLogger(string categoryName) =>
        categoryName == SecurityEventLog.Category ? new LineLogger(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
        // The output belongs to whoever started the server.
    }

    private void WriteLine(string line)
    {
        lock (_write)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private sealed class LineLogger(SecurityEventLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            provider.WriteLine(formatter(state, exception));
        }
    }
}
