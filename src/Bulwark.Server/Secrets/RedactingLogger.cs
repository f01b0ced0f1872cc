using Bulwark.Core.Redaction;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Secrets;

/// <summary>
/// One category's logger behind redaction. A line with nothing to redact is passed on untouched
/// (its state object and all); otherwise the provider gets a redacted copy of the message, of
/// the structured values a JSON formatter would print, and of the exception text.
/// </summary>
internal sealed class RedactingLogger(ILogger inner, Redactor redactor) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        var redactedMessage = redactor.Redact(message);
        var exceptionText = exception?.ToString();
        var redactedException = exceptionText is null ? null : redactor.Redact(exceptionText);
        var values = RedactedValues(state, out var valuesChanged);
        if (ReferenceEquals(redactedMessage, message) && ReferenceEquals(redactedException, exceptionText) && !valuesChanged)
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }

        var redactedState = new RedactedLogState(redactedMessage, values);
        var replaced = exception is null ? null : new RedactedException(exception, redactedException!);
        inner.Log(logLevel, eventId, redactedState, replaced, static (s, _) => s.Message);
    }

    private IReadOnlyList<KeyValuePair<string, object?>> RedactedValues<TState>(TState state, out bool changed)
    {
        changed = false;
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> pairs)
        {
            return [];
        }

        var result = new KeyValuePair<string, object?>[pairs.Count];
        for (var i = 0; i < pairs.Count; i++)
        {
            var (key, value) = pairs[i];
            if (value is not null and not (ValueType or Enum))
            {
                var text = value.ToString();
                if (text is not null)
                {
                    var redacted = redactor.Redact(text);
                    if (!ReferenceEquals(redacted, text))
                    {
                        changed = true;
                        value = redacted;
                    }
                }
            }

            result[i] = new KeyValuePair<string, object?>(key, value);
        }

        return result;
    }
}

/// <summary>A redacted log line's state: its message, and its structured values for formatters that print them.</summary>
internal sealed class RedactedLogState(string message, IReadOnlyList<KeyValuePair<string, object?>> values)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    public string Message { get; } = message;

    public int Count => values.Count;

    public KeyValuePair<string, object?> this[int index] => values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;
}

/// <summary>Stands in for an exception whose text held a credential: prints only the redacted text.</summary>
internal sealed class RedactedException(Exception original, string redactedText)
    : Exception(redactedText)
{
    /// <summary>The original's type name, so a reader still knows what failed.</summary>
    public string OriginalType { get; } = original.GetType().FullName ?? original.GetType().Name;

    public override string ToString() => Message;
}
