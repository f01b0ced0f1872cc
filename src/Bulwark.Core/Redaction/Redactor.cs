using System.Buffers;
using System.Text;

namespace Bulwark.Core.Redaction;

/// <summary>
/// Removes secrets before anything is stored or shown (SEC-4): the values it was built with (and
/// their encodings, see <see cref="SecretEncodings"/>) and anything shaped like a credential (see
/// <see cref="CredentialShapes"/>). Each match becomes <see cref="Marker"/>; a bearer token or an
/// <c>Authorization:</c> header keeps its keyword (<c>Bearer [REDACTED]</c>). Immutable and
/// thread-safe; <see cref="Stream"/> gives the per-stream state for output that arrives in chunks.
/// </summary>
/// <remarks>
/// One multi-string ordinal search (<see cref="SearchValues{T}"/>, vectorised) finds every
/// pattern's literal start; nothing backtracks, so the cost is linear in the text.
/// </remarks>
public sealed class Redactor
{
    /// <summary>The one replacement for everything redacted.</summary>
    public const string Marker = "[REDACTED]";

    /// <summary>Credential shapes only: for the server's own logs and anything not tied to a run.</summary>
    public static readonly Redactor Credentials = new([]);

    private Redactor(IEnumerable<string> values)
    {
        var patterns = new List<RedactionPattern>(CredentialShapes.All);
        var literals = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            foreach (var form in SecretEncodings.Of(value))
            {
                if (literals.Add(form))
                {
                    patterns.Add(new RedactionPattern(form, RedactionKind.Literal));
                }
            }
        }

        // At one position the longest trigger is tried first: a secret that starts like a credential stays whole.
        Patterns = [.. patterns.OrderByDescending(p => p.Trigger.Length)];
        Literals = [.. Patterns.Where(p => p.Kind == RedactionKind.Literal).Select(p => p.Trigger)];
        Triggers = SearchValues.Create(
            [.. Patterns.Select(p => p.Trigger).Distinct(StringComparer.OrdinalIgnoreCase)], StringComparison.OrdinalIgnoreCase);
        MaxTrigger = Patterns.Max(p => p.Trigger.Length);
        MaxSpan = Patterns.Max(p => p.Span);
    }

    internal RedactionPattern[] Patterns { get; }

    internal string[] Literals { get; }

    internal SearchValues<string> Triggers { get; }

    /// <summary>Longest trigger: a shorter tail of a chunk can still be the start of one.</summary>
    internal int MaxTrigger { get; }

    /// <summary>Most characters from a trigger's start that any decision needs.</summary>
    internal int MaxSpan { get; }

    /// <summary>
    /// A redactor for one run: its secret values plus the credential shapes. Empty values are
    /// skipped (there is nothing to find).
    /// </summary>
    public static Redactor For(IEnumerable<string> secretValues)
    {
        ArgumentNullException.ThrowIfNull(secretValues);
        var values = secretValues.Where(v => v.Length > 0).ToArray();
        return values.Length == 0 ? Credentials : new Redactor(values);
    }

    /// <summary>The text with every match replaced; the same instance when nothing matched.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny(Triggers) < 0)
        {
            return text;
        }

        var output = new StringBuilder(text.Length);
        var stream = Stream();
        stream.Write(text, output);
        stream.Complete(output);
        return output.ToString();
    }

    /// <summary>
    /// <see cref="Redact(string)"/> for text that was cut off at a size limit: a tail that is the
    /// start of a secret value is removed too, since the rest of it will never come.
    /// </summary>
    public string RedactTruncated(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new StringBuilder(text.Length);
        var stream = Stream();
        stream.Write(text, output);
        stream.Complete(output, truncated: true);
        return output.ToString();
    }

    /// <summary>State for one stream of chunks (stdout, say); not thread-safe.</summary>
    public StreamingRedactor Stream() => new(this);
}
