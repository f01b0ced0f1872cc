using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Bulwark.Core.Redaction;

/// <summary>
/// The forms a secret value takes in output (SEC-4): itself, JSON-escaped, percent-encoded, and
/// base64 (standard and url-safe, padded or not), including the part of its encoding that is
/// the same wherever it sits inside a longer base64 stream (<c>echo "$KEY" | base64</c> encodes
/// a trailing newline too).
/// </summary>
internal static class SecretEncodings
{
    /// <summary>
    /// Shortest base64 fragment searched for inside longer streams: shorter ones would match
    /// unrelated base64 by chance and are only redacted standalone.
    /// </summary>
    public const int MinEmbeddedBase64Chars = 8;

    public static IEnumerable<string> Of(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            yield break;
        }

        yield return value;
        yield return JsonEncodedText.Encode(value).Value;
        yield return JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value;
        var percent = Uri.EscapeDataString(value);
        yield return percent;
        yield return percent.Replace("%20", "+", StringComparison.Ordinal);
        yield return LowerHexEscapes(percent);

        var bytes = Encoding.UTF8.GetBytes(value);
        var standalone = Convert.ToBase64String(bytes);
        foreach (var form in (string[])[standalone, standalone.TrimEnd('=')])
        {
            yield return form;
            yield return UrlSafe(form);
        }

        // A value at byte offset k (mod 3) of a stream: the characters that cover only its bits.
        for (var k = 0; k < 3; k++)
        {
            var shifted = new byte[k + bytes.Length];
            bytes.CopyTo(shifted, k);
            var encoded = Convert.ToBase64String(shifted);
            var start = (8 * k + 5) / 6;
            var end = 8 * (k + bytes.Length) / 6;
            if (end - start >= MinEmbeddedBase64Chars)
            {
                yield return encoded[start..end];
                yield return UrlSafe(encoded[start..end]);
            }
        }
    }

    private static string UrlSafe(string base64) => base64.Replace('+', '-').Replace('/', '_');

    private static string LowerHexEscapes(string percent)
    {
        var chars = percent.ToCharArray();
        for (var i = 0; i + 2 < chars.Length; i++)
        {
            if (chars[i] == '%')
            {
                chars[i + 1] = char.ToLowerInvariant(chars[i + 1]);
                chars[i + 2] = char.ToLowerInvariant(chars[i + 2]);
            }
        }

        return new string(chars);
    }
}
