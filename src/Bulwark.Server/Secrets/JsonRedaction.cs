using System.Text.Json;
using Bulwark.Core.Redaction;

namespace Bulwark.Server.Secrets;

/// <summary>
/// Redacts a JSON document a job hands back (results, variables) as text, so a secret inside a
/// string becomes <c>[REDACTED]</c> in place. Should a value have spanned JSON syntax (a number,
/// say), the redacted text is kept as one JSON string rather than stored broken.
/// </summary>
internal static class JsonRedaction
{
    public static string Redact(Redactor redactor, string json)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        var redacted = redactor.Redact(json);
        if (ReferenceEquals(redacted, json))
        {
            return json;
        }

        try
        {
            using var _ = JsonDocument.Parse(redacted);
            return redacted;
        }
        catch (JsonException)
        {
            return JsonSerializer.Serialize(redacted);
        }
    }
}
