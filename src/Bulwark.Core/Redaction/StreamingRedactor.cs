using System.Text;

namespace Bulwark.Core.Redaction;

/// <summary>
/// The redactor over output that arrives in chunks (SEC-4, JOB-6): a secret split across two
/// writes is still removed, and the result is exactly <see cref="Redactor.Redact(string)"/> of the
/// whole text, however it was cut. It holds back only what could still be the start of a match
/// (a tail that begins a trigger, at most <see cref="Redactor.MaxSpan"/> − 1 characters, or a PEM
/// END marker's length), never a whole line; a match in progress (a token, a PEM block) is
/// dropped as it streams past.
/// </summary>
public sealed class StreamingRedactor
{
    private enum Mode
    {
        Scanning,
        InToken,
        InLine,
        InPemBlock,
    }

    private readonly Redactor _redactor;
    private char[] _buffer = new char[256];
    private int _start;
    private int _end;
    private Mode _mode;
    private RedactionPattern? _active;

    internal StreamingRedactor(Redactor redactor) => _redactor = redactor;

    /// <summary>Appends <paramref name="chunk"/>; writes to <paramref name="output"/> whatever is now decided.</summary>
    public void Write(ReadOnlySpan<char> chunk, StringBuilder output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Append(chunk);
        Process(output, final: false);
    }

    /// <summary>
    /// The end of the stream: writes what was held back. <paramref name="truncated"/>: the stream
    /// was cut at a size limit, so a tail that starts a secret value is removed as well.
    /// </summary>
    public void Complete(StringBuilder output, bool truncated = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        var cutTail = truncated && _mode == Mode.Scanning && CutSecretPrefixTail();
        Process(output, final: true);
        if (cutTail)
        {
            output.Append(Redactor.Marker);
        }

        _start = _end = 0;
        _mode = Mode.Scanning;
        _active = null;
    }

    private void Process(StringBuilder output, bool final)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            switch (_mode)
            {
                case Mode.InToken:
                    if (!Swallow(pending.IndexOfAnyExcept(_active!.Alphabet!), pending.Length, final))
                    {
                        return;
                    }

                    continue;
                case Mode.InLine:
                    if (!Swallow(pending.IndexOfAny('\r', '\n'), pending.Length, final))
                    {
                        return;
                    }

                    continue;
                case Mode.InPemBlock:
                    if (!SwallowPemBlock(pending, final))
                    {
                        return;
                    }

                    continue;
                default:
                    if (!Scan(pending, output, final))
                    {
                        return;
                    }

                    continue;
            }
        }
    }

    /// <summary>One step of scanning; false when everything decidable is written.</summary>
    private bool Scan(ReadOnlySpan<char> pending, StringBuilder output, bool final)
    {
        var at = pending.IndexOfAny(_redactor.Triggers);
        if (at < 0)
        {
            // No whole trigger; only a tail that is the start of one may still become one.
            var safe = final ? pending.Length : StartOfPossibleTrigger(pending);
            Emit(pending[..safe], output);
            return false;
        }

        if (!final && at + _redactor.MaxSpan > pending.Length)
        {
            // Not every decision at `at` can be made yet, and a longer trigger may begin a little
            // earlier and end beyond the chunk: write only what no pattern can reach.
            var safe = Math.Min(at, StartOfPossibleTrigger(pending));
            Emit(pending[..safe], output);
            return false;
        }

        Emit(pending[..at], output);
        var rest = pending[at..];
        foreach (var pattern in _redactor.Patterns)
        {
            if (rest.StartsWith(pattern.Trigger, pattern.Comparison) && Matches(pattern, rest[pattern.Trigger.Length..]))
            {
                if (pattern.KeepTrigger)
                {
                    output.Append(rest[..pattern.Trigger.Length]);
                    if (pattern.Kind == RedactionKind.RestOfLine)
                    {
                        output.Append(' ');
                    }
                }

                output.Append(Redactor.Marker);
                _start += pattern.Trigger.Length;
                _active = pattern;
                _mode = pattern.Kind switch
                {
                    RedactionKind.Token => Mode.InToken,
                    RedactionKind.RestOfLine => Mode.InLine,
                    RedactionKind.PemBlock => Mode.InPemBlock,
                    _ => Mode.Scanning,
                };
                return true;
            }
        }

        // Only a look-alike (another case, too short a token): keep one character, look on.
        output.Append(rest[0]);
        _start++;
        return true;
    }

    /// <summary>
    /// Where the held-back tail starts: the first position from which the rest of
    /// <paramref name="pending"/> is the start of a trigger (in any case, as the search finds them),
    /// else its end. No trigger can begin before it, so everything before is decided. Holding back
    /// only that (at most <see cref="Redactor.MaxTrigger"/> − 1 characters, usually none) lets a
    /// short line reach the live logs at once instead of waiting for more output (JOB-6).
    /// </summary>
    private int StartOfPossibleTrigger(ReadOnlySpan<char> pending)
    {
        for (var from = Math.Max(0, pending.Length - (_redactor.MaxTrigger - 1)); from < pending.Length; from++)
        {
            var tail = pending[from..];
            foreach (var pattern in _redactor.Patterns)
            {
                if (pattern.Trigger.Length > tail.Length && pattern.Trigger.AsSpan().StartsWith(tail, StringComparison.OrdinalIgnoreCase))
                {
                    return from;
                }
            }
        }

        return pending.Length;
    }

    private static bool Matches(RedactionPattern pattern, ReadOnlySpan<char> after) => pattern.Kind switch
    {
        RedactionKind.Token => after.Length >= pattern.MinTokenChars
            && after[..pattern.MinTokenChars].IndexOfAnyExcept(pattern.Alphabet!) < 0,
        RedactionKind.PemBlock => IsPrivateKeyLabel(after[..Math.Min(after.Length, pattern.Window)]),
        _ => true,
    };

    /// <summary>Whether <c>PRIVATE KEY-----</c> ends the label before the line does.</summary>
    private static bool IsPrivateKeyLabel(ReadOnlySpan<char> label)
    {
        var newline = label.IndexOf('\n');
        return (newline < 0 ? label : label[..newline]).Contains(CredentialShapes.PemPrivateKeyTail, StringComparison.Ordinal);
    }

    /// <summary>Drops a token's or line's characters up to <paramref name="stop"/>; true when it ended.</summary>
    private bool Swallow(int stop, int length, bool final)
    {
        if (stop < 0)
        {
            _start += length;
            if (final)
            {
                _mode = Mode.Scanning;
            }

            return false;
        }

        _start += stop;
        _mode = Mode.Scanning;
        return true;
    }

    /// <summary>Drops a PEM block's lines through its END line; true when it ended.</summary>
    private bool SwallowPemBlock(ReadOnlySpan<char> pending, bool final)
    {
        var searched = 0;
        while (true)
        {
            var found = pending[searched..].IndexOf(CredentialShapes.PemEnd, StringComparison.Ordinal);
            if (found < 0)
            {
                // Keep what may be the start of the END marker.
                _start += final ? pending.Length : Math.Max(searched, pending.Length - (CredentialShapes.PemEnd.Length - 1));
                if (final)
                {
                    _mode = Mode.Scanning;
                }

                return false;
            }

            var at = searched + found;
            var labelStart = at + CredentialShapes.PemEnd.Length;
            var available = pending[labelStart..];
            var window = available[..Math.Min(available.Length, CredentialShapes.PemLabelWindow)];
            var newline = window.IndexOf('\n');
            var label = newline < 0 ? window : window[..newline];
            var tail = label.IndexOf(CredentialShapes.PemPrivateKeyTail, StringComparison.Ordinal);
            if (tail >= 0)
            {
                _start += labelStart + tail + CredentialShapes.PemPrivateKeyTail.Length;
                _mode = Mode.Scanning;
                return true;
            }

            if (newline < 0 && window.Length < CredentialShapes.PemLabelWindow && !final)
            {
                // The END line is still arriving.
                _start += at;
                return false;
            }

            searched = at + 1;
        }
    }

    /// <summary>
    /// Truncated streams only: removes the longest tail of the held-back text that is the start of
    /// a secret value (or one of its encodings). True when something was removed.
    /// </summary>
    private bool CutSecretPrefixTail()
    {
        var pending = _buffer.AsSpan(_start, _end - _start);
        for (var from = Math.Max(0, pending.Length - (_redactor.MaxSpan - 1)); from < pending.Length; from++)
        {
            var tail = pending[from..];
            foreach (var literal in _redactor.Literals)
            {
                if (literal.Length > tail.Length && literal.AsSpan().StartsWith(tail, StringComparison.Ordinal))
                {
                    _end = _start + from;
                    return true;
                }
            }
        }

        return false;
    }

    private void Emit(ReadOnlySpan<char> text, StringBuilder output)
    {
        output.Append(text);
        _start += text.Length;
    }

    private void Append(ReadOnlySpan<char> chunk)
    {
        var length = _end - _start;
        if (_start > 0 && (length == 0 || _buffer.Length - _end < chunk.Length))
        {
            // Compact: the held-back tail is short, moving it is cheap.
            _buffer.AsSpan(_start, length).CopyTo(_buffer);
            _start = 0;
            _end = length;
        }

        if (_buffer.Length - _end < chunk.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, length + chunk.Length));
        }

        chunk.CopyTo(_buffer.AsSpan(_end));
        _end += chunk.Length;
    }
}
