using System.Net;
using System.Net.Sockets;

namespace Bulwark.Server.Auth.Mtls;

/// <summary>
/// The ingress addresses whose identity headers are believed (AUTH-4, <c>BULWARK_TRUSTED_PROXIES</c>).
/// The peer is always the TCP connection's own address, never a forwarded header: anyone can write
/// <c>X-Forwarded-For</c>, nobody can fake the socket they connect from.
/// </summary>
internal sealed class TrustedProxies
{
    private readonly IPNetwork[] _networks;

    private TrustedProxies(IPNetwork[] networks) => _networks = networks;

    public static TrustedProxies None { get; } = new([]);

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>Comma-separated CIDRs (a bare address is a /32 or /128); throws naming the bad entry.</summary>
    public static TrustedProxies Parse(string? text)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(Normalise(network));
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                address = Normalise(address);
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new FormatException($"'{entry}' is not a CIDR range or an IP address.");
            }
        }

        return new TrustedProxies([.. networks]);
    }

    public bool Contains(IPAddress? peer)
    {
        if (peer is null)
        {
            return false; // the runtime socket, or a transport without an address: never a proxy
        }

        peer = Normalise(peer);
        foreach (var network in _networks)
        {
            if (network.Contains(peer))
            {
                return true;
            }
        }

        return false;
    }

    // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; an operator writes a.b.c.d/n.
    private static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static IPNetwork Normalise(IPNetwork network) =>
        network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96
            ? new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96)
            : network;
}
