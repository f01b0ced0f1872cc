using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Tokens;

/// <summary>
/// The compact format our own tokens share: <c>{prefix}.{base64url payload}.{base64url HMAC-SHA256}</c>.
/// The MAC covers the prefix and the payload exactly as sent, so no byte of either can change,
/// and a token of one kind (prefix) never passes for another. <see cref="Open"/> checks the MAC
/// in constant time before a byte of the payload is decoded; there is no algorithm field to
/// confuse and no unsigned variant to downgrade to. Each token kind owns its payload and claims.
/// </summary>
internal static class SignedToken
{
    private const int MacBytes = 32;

    public enum Opened
    {
        Valid,
        Malformed,
        BadSignature,
    }

    /// <summary>Signs <paramref name="payload"/>; throws <see cref="ArgumentException"/> when the token would exceed <paramref name="maxLength"/>.</summary>
    public static string Seal(string prefix, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, int maxLength, string claimsName)
    {
        var signed = prefix + "." + Base64Url.EncodeToString(payload);
        Span<byte> mac = stackalloc byte[MacBytes];
        Mac(key, signed, mac);
        var token = signed + "." + Base64Url.EncodeToString(mac);
        if (token.Length > maxLength)
        {
            throw new ArgumentException($"The claims make a token longer than {maxLength} characters.", claimsName);
        }

        return token;
    }

    /// <summary>
    /// The payload bytes of an intact token of this <paramref name="prefix"/>, signed with
    /// <paramref name="key"/> or (when given) <paramref name="previousKey"/>. Both MACs are always
    /// computed, so timing does not tell which key signed.
    /// </summary>
    public static Opened Open(
        string? token, string prefix, int maxLength, ReadOnlySpan<byte> key, ReadOnlySpan<byte> previousKey, out byte[]? payload)
    {
        payload = null;
        if (token is null || token.Length > maxLength || !token.StartsWith(prefix + ".", StringComparison.Ordinal))
        {
            return Opened.Malformed;
        }

        var macDot = token.LastIndexOf('.');
        var payloadStart = prefix.Length + 1;
        if (macDot <= payloadStart || token.AsSpan(payloadStart, macDot - payloadStart).Contains('.'))
        {
            return Opened.Malformed;
        }

        Span<byte> presented = stackalloc byte[MacBytes + 3];
        var macText = token.AsSpan(macDot + 1);
        if (Base64Url.GetMaxDecodedLength(macText.Length) > presented.Length
            || Base64Url.DecodeFromChars(macText, presented, out _, out var macLength) != OperationStatus.Done
            || macLength != MacBytes)
        {
            // Also an empty MAC.
            return Opened.Malformed;
        }

        var signed = token.AsSpan(0, macDot);
        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(key, signed, expected);
        var matches = CryptographicOperations.FixedTimeEquals(expected, presented[..MacBytes]);
        if (!previousKey.IsEmpty)
        {
            Mac(previousKey, signed, expected);
            matches |= CryptographicOperations.FixedTimeEquals(expected, presented[..MacBytes]);
        }

        if (!matches)
        {
            return Opened.BadSignature;
        }

        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(payloadStart, macDot - payloadStart));
        }
        catch (FormatException)
        {
            return Opened.Malformed;
        }

        return Opened.Valid;
    }

    private static void Mac(ReadOnlySpan<byte> key, ReadOnlySpan<char> signed, Span<byte> destination)
    {
        // The signed part is ASCII (prefix, dot, base64url), one byte per char.
        Span<byte> bytes = signed.Length <= 1024 ? stackalloc byte[signed.Length] : new byte[signed.Length];
        var written = Encoding.ASCII.GetBytes(signed, bytes);
        HMACSHA256.HashData(key, bytes[..written], destination);
    }
}
