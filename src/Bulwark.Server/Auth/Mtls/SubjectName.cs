using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Bulwark.Server.Auth.Mtls;

/// <summary>
/// A client certificate's subject as an ingress forwards it (AUTH-4): RFC 4514 / 2253
/// (<c>CN=alice,O=acme</c>, as nginx's <c>$ssl_client_s_dn</c>) or the OpenSSL one-line form
/// (<c>/O=acme/CN=alice</c>). <c>O</c> names the tenant and <c>CN</c> the subject.
/// </summary>
/// <remarks>
/// Parsing is strict on purpose: a DN with two <c>O</c> or two <c>CN</c>, an unbalanced escape,
/// a control character or an attribute without <c>=</c> is refused rather than guessed at, since
/// a lenient reader is exactly what lets <c>CN=x\,O=victim</c> smuggle a second tenant in.
/// </remarks>
internal sealed record SubjectName(string Organization, string CommonName, IReadOnlyList<string> OrganizationalUnits)
{
    public const int MaxLength = 1024;

    public static bool TryParse(string? text, out SubjectName? subject)
    {
        subject = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxLength)
        {
            return false;
        }

        text = text.Trim();
        var oneLine = text[0] == '/';
        var parts = Split(oneLine ? text[1..] : text, oneLine ? ['/'] : [',', '+', ';']);
        if (parts is null)
        {
            return false;
        }

        string? organization = null, commonName = null;
        var units = new List<string>();
        foreach (var part in parts)
        {
            var eq = IndexOfUnescaped(part, '=');
            if (eq <= 0)
            {
                return false;
            }

            var type = part[..eq].Trim();
            var value = Unescape(part[(eq + 1)..].Trim());
            if (value is null || !IsAttributeType(type))
            {
                return false;
            }

            switch (type.ToUpperInvariant())
            {
                case "O" or "2.5.4.10":
                    if (organization is not null)
                    {
                        return false;
                    }

                    organization = value;
                    break;
                case "CN" or "2.5.4.3":
                    if (commonName is not null)
                    {
                        return false;
                    }

                    commonName = value;
                    break;
                case "OU" or "2.5.4.11":
                    units.Add(value);
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(organization) || string.IsNullOrWhiteSpace(commonName))
        {
            return false;
        }

        subject = new SubjectName(organization, commonName, units);
        return true;
    }

    /// <summary>The subject of a certificate Kestrel received, read attribute by attribute rather than from its text.</summary>
    public static bool TryFrom(X500DistinguishedName name, out SubjectName? subject)
    {
        subject = null;
        string? organization = null, commonName = null;
        var units = new List<string>();
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                return false;
            }

            var value = rdn.GetSingleElementValue();
            if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl))
            {
                return false;
            }

            switch (rdn.GetSingleElementType().Value)
            {
                case "2.5.4.10" when organization is null:
                    organization = value;
                    break;
                case "2.5.4.3" when commonName is null:
                    commonName = value;
                    break;
                case "2.5.4.10" or "2.5.4.3":
                    return false;
                case "2.5.4.11":
                    units.Add(value);
                    break;
            }
        }

        if (organization is null || commonName is null)
        {
            return false;
        }

        subject = new SubjectName(organization, commonName, units);
        return true;
    }

    /// <summary>Splits on unescaped separators; null when an escape is left dangling.</summary>
    private static List<string>? Split(string text, char[] separators)
    {
        var parts = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (text[i] == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    return null;
                }

                i++;
            }
            else if (!quoted && Array.IndexOf(separators, text[i]) >= 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return quoted ? null : parts;
    }

    private static int IndexOfUnescaped(string text, char c)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == c)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsAttributeType(string type) =>
        type.Length is > 0 and <= 64 && type.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-');

    /// <summary>RFC 4514 escapes (<c>\,</c>, <c>\\</c>, <c>\2C</c> hex pairs, as UTF-8); null when malformed.</summary>
    private static string? Unescape(string value)
    {
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1]; // RFC 2253 quoted form
        }

        var bytes = new List<byte>(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\')
            {
                if (i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
                {
                    bytes.Add(byte.Parse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    continue;
                }

                if (i + 1 >= value.Length)
                {
                    return null;
                }

                c = value[++i];
            }

            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                return null;
            }

            var n = Encoding.UTF8.GetBytes([c], utf8);
            for (var k = 0; k < n; k++)
            {
                bytes.Add(utf8[k]);
            }
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        return decoded.Any(char.IsControl) ? null : decoded;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
