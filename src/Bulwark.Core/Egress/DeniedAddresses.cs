using System.Net;
using System.Net.Sockets;

namespace Bulwark.Core.Egress;

/// <summary>
/// The address ranges no outbound request may reach (NET-1): everything that is not the public
/// internet. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by
/// the address they carry, so <c>::ffff:127.0.0.1</c> is loopback like <c>127.0.0.1</c>.
/// </summary>
public static class DeniedAddresses
{
    private static readonly (uint Network, int Prefix, string Reason)[] V4 =
    [
        (V4Of(169, 254, 169, 254), 32, "cloud_metadata"),
        (V4Of(100, 100, 100, 200), 32, "cloud_metadata"),
        (V4Of(0, 0, 0, 0), 8, "this_network"),
        (V4Of(10, 0, 0, 0), 8, "private"),
        (V4Of(100, 64, 0, 0), 10, "cgnat"),
        (V4Of(127, 0, 0, 0), 8, "loopback"),
        (V4Of(169, 254, 0, 0), 16, "link_local"),
        (V4Of(172, 16, 0, 0), 12, "private"),
        (V4Of(192, 0, 0, 0), 24, "ietf_protocol"),
        (V4Of(192, 0, 2, 0), 24, "documentation"),
        (V4Of(192, 88, 99, 0), 24, "relay_anycast"),
        (V4Of(192, 168, 0, 0), 16, "private"),
        (V4Of(198, 18, 0, 0), 15, "benchmark"),
        (V4Of(198, 51, 100, 0), 24, "documentation"),
        (V4Of(203, 0, 113, 0), 24, "documentation"),
        (V4Of(224, 0, 0, 0), 4, "multicast"),
        (V4Of(255, 255, 255, 255), 32, "broadcast"),
        (V4Of(240, 0, 0, 0), 4, "reserved"),
    ];

    private static readonly (UInt128 Network, int Prefix, string Reason)[] V6 =
    [
        (V6Of("fd00:ec2::254"), 128, "cloud_metadata"),
        (V6Of("::"), 128, "unspecified"),
        (V6Of("::1"), 128, "loopback"),
        (V6Of("100::"), 64, "discard"),
        (V6Of("64:ff9b:1::"), 48, "nat64_local"),
        (V6Of("2001::"), 32, "teredo"),
        (V6Of("2001:2::"), 48, "benchmark"),
        (V6Of("2001:10::"), 28, "orchid"),
        (V6Of("2001:20::"), 28, "orchid"),
        (V6Of("2001:db8::"), 32, "documentation"),
        (V6Of("3fff::"), 20, "documentation"),
        (V6Of("fc00::"), 7, "unique_local"),
        (V6Of("fe80::"), 10, "link_local"),
        (V6Of("fec0::"), 10, "site_local"),
        (V6Of("ff00::"), 8, "multicast"),
    ];

    private static readonly UInt128 Nat64 = V6Of("64:ff9b::");
    private static readonly UInt128 SixToFour = V6Of("2002::");

    /// <summary>Why <paramref name="address"/> is refused (<c>loopback</c>, <c>private</c>…), or null when it may be reached.</summary>
    /// <param name="allowLoopback">Development only: lets 127/8 and ::1 through so tests can target a local listener.</param>
    public static string? ReasonFor(IPAddress address, bool allowLoopback = false)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ReasonForV4(ToUInt32(address), allowLoopback);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "not_ip";
        }

        var value = ToUInt128(address);
        // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (SIIT translated) and ::a.b.c.d (compatible,
        // deprecated): the IPv4 address is the destination.
        if (value >> 32 == 0xFFFF || value >> 32 == 0xFFFF_0000 || (value >> 32 == 0 && value > 1))
        {
            return ReasonForV4((uint)value, allowLoopback);
        }

        // NAT64 (64:ff9b::/96) translates to the IPv4 address in its last 32 bits.
        if (value >> 32 == Nat64 >> 32)
        {
            return ReasonForV4((uint)value, allowLoopback);
        }

        // 6to4 (2002::/16) tunnels to the IPv4 address in bits 16–47.
        if (value >> 112 == SixToFour >> 112)
        {
            return ReasonForV4((uint)(value >> 80), allowLoopback);
        }

        foreach (var (network, prefix, reason) in V6)
        {
            if (Matches(value, network, prefix))
            {
                return allowLoopback && reason == "loopback" ? null : reason;
            }
        }

        return null;
    }

    private static string? ReasonForV4(uint value, bool allowLoopback)
    {
        foreach (var (network, prefix, reason) in V4)
        {
            var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            if ((value & mask) == network)
            {
                return allowLoopback && reason == "loopback" ? null : reason;
            }
        }

        return null;
    }

    private static bool Matches(UInt128 value, UInt128 network, int prefix)
    {
        var mask = prefix == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefix);
        return (value & mask) == network;
    }

    private static uint V4Of(byte a, byte b, byte c, byte d) => ((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d;

    private static UInt128 V6Of(string text) => ToUInt128(IPAddress.Parse(text));

    private static uint ToUInt32(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    private static UInt128 ToUInt128(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }
}
