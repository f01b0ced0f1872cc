using System.Buffers;

namespace Bulwark.Core.Redaction;

/// <summary>What follows a pattern's trigger, and so what is removed with it.</summary>
internal enum RedactionKind
{
    /// <summary>The trigger itself is the secret (a run's value or one of its encodings).</summary>
    Literal,

    /// <summary>The trigger starts a token: at least <see cref="RedactionPattern.MinTokenChars"/> characters of <see cref="RedactionPattern.Alphabet"/>, as many as follow.</summary>
    Token,

    /// <summary>Everything after the trigger up to the end of the line (a header's value).</summary>
    RestOfLine,

    /// <summary>A PEM private key, from its BEGIN line through its END line, however many lines it spans.</summary>
    PemBlock,
}

/// <summary>
/// One thing the redactor removes: a literal trigger found by ordinal search, plus a decision that
/// needs at most <see cref="Window"/> more characters. That bound is what lets the streaming form
/// hold back only a few characters and still agree with the one-shot form (SEC-4).
/// </summary>
internal sealed record RedactionPattern(
    string Trigger,
    RedactionKind Kind,
    bool IgnoreCase = false,
    bool KeepTrigger = false,
    SearchValues<char>? Alphabet = null,
    int MinTokenChars = 0,
    int Window = 0)
{
    public StringComparison Comparison => IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Characters after the trigger's start that a decision may look at.</summary>
    public int Span => Trigger.Length + Window;
}
