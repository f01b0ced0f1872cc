using System.Globalization;
using System.Net;

namespace Bulwark.Core.Egress;

/// <summary>
/// The IPv4 spellings <c>inet_aton</c> accepts (NET-1): <c>2130706433</c>, <c>0x7f.1</c>,
/// <c>0177.0.0.1</c>, <c>127.1</c>. A resolver would turn any of them into an address without
/// asking DNS, so the guard must read them the same way rather than take them for names.
/// </summary>
public static class Ipv4Literal
{
    public static bool TryParse(string host, out IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(host);
        address = IPAddress.None;
        var parts = host.Split('.');
        if (parts.Length is < 1 or > 4)
        {
            return false;
        }

        var values = new uint[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryPart(parts[i], out values[i]))
            {
                return false;
            }
        }

        // a.b.c.d, a.b.c (c is 16 bits), a.b (b is 24 bits), a (32 bits): each leading part one byte.
        ulong value = 0;
        for (var i = 0; i < values.Length - 1; i++)
        {
            if (values[i] > 0xFF)
            {
                return false;
            }

            value |= (ulong)values[i] << (24 - (8 * i));
        }

        var last = values[^1];
        var lastBits = 32 - (8 * (values.Length - 1));
        if (lastBits < 32 && last >= 1UL << lastBits)
        {
            return false;
        }

        value |= last;
        address = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        return true;
    }

    private static bool TryPart(string part, out uint value)
    {
        value = 0;
        if (part.Length == 0)
        {
            return false;
        }

        if (part.Length > 2 && part[0] == '0' && (part[1] is 'x' or 'X'))
        {
            return uint.TryParse(part.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        if (part.Length > 1 && part[0] == '0')
        {
            foreach (var c in part)
            {
                if (c is < '0' or > '7')
                {
                    return false;
                }
            }

            try
            {
                value = Convert.ToUInt32(part, 8);
                return true;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        foreach (var c in part)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
