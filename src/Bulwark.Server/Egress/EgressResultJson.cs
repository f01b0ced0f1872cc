using System.Text;
using System.Text.Json;
using Bulwark.Core.Redaction;

namespace Bulwark.Server.Egress;

/// <summary>
/// A response as a run's result or a runtime API answer: <c>{status, headers, body, body_base64, bytes}</c>.
/// The body is text when it is UTF-8, base64 otherwise (<c>body_base64: true</c>). Redacted, since
/// a server may echo back the secret header it was sent (SEC-4).
/// </summary>
internal static class EgressResultJson
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string From(EgressResponse response, Redactor redactor)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(redactor);
        string body;
        var base64 = false;
        try
        {
            body = StrictUtf8.GetString(response.Body);
        }
        catch (DecoderFallbackException)
        {
            body = Convert.ToBase64String(response.Body);
            base64 = true;
        }

        // Redacted as text, before JSON escaping could spell a secret differently (a '+' as \u002B).
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["status"] = response.Status,
            ["headers"] = response.Headers.ToDictionary(h => h.Key, h => redactor.Redact(h.Value), StringComparer.Ordinal),
            ["body"] = redactor.Redact(body),
            ["body_base64"] = base64,
            ["bytes"] = response.Body.LongLength,
        });
    }
}
