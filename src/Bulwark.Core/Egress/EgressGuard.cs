using System.Net;
using System.Net.Sockets;

namespace Bulwark.Core.Egress;

/// <summary>
/// The SSRF decision (NET-1), apart from any connection: http or https only, an allowed port, no
/// user info, a host on the tenant's allow-list, and every address the host resolves to outside
/// the deny ranges. One denied address denies the request; the guard never picks the good one,
/// since the connection could be steered to the other.
/// </summary>
public sealed class EgressGuard(EgressRules rules, IHostResolver resolver)
{
    public async Task<EgressDecision> CheckAsync(string url, EgressAllowList allowList, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(allowList);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return Denied(null, "", "malformed", "The URL is not an absolute URL.");
        }

        return await CheckAsync(uri, allowList, ct);
    }

    public async Task<EgressDecision> CheckAsync(Uri uri, EgressAllowList allowList, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(allowList);
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return Denied(uri, "", "scheme", "Only http and https URLs may be requested.");
        }

        // Credentials in a URL would be sent and would end up in logs; they belong in a secret header.
        if (uri.UserInfo.Length > 0)
        {
            return Denied(uri, "", "userinfo", "A URL with user info (user:password@) is refused; use a secret header.");
        }

        if (!ParseHost(uri, out var host, out var literal))
        {
            return Denied(uri, "", "malformed", "The URL's host is not a valid host name.");
        }

        var shown = literal?.ToString() ?? host;
        if (!rules.AllowedPorts.Contains(uri.Port))
        {
            return Denied(uri, shown, "port", $"Port {uri.Port} of host '{shown}' is not an allowed egress port.");
        }

        if (literal is null && HostNames.IsInternalName(host) && !(rules.AllowLoopback && IsLoopbackName(host)))
        {
            return Denied(uri, shown, "internal_name", $"Host '{shown}' is an internal name and is never reachable.");
        }

        if (literal is not null && DeniedAddresses.ReasonFor(literal, rules.AllowLoopback) is { } literalReason)
        {
            return Denied(uri, shown, literalReason, $"Host '{shown}' is in a denied address range ({literalReason.Replace('_', ' ')}).");
        }

        if (!allowList.Allows(shown))
        {
            return Denied(uri, shown, "not_allowed", $"Host '{shown}' is not on this tenant's egress allow-list.");
        }

        IReadOnlyList<IPAddress> addresses;
        if (literal is not null)
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await resolver.ResolveAsync(host, ct);
            }
            catch (SocketException)
            {
                addresses = [];
            }

            if (addresses.Count == 0)
            {
                return new EgressDecision
                {
                    Allowed = false, Uri = uri, Host = shown, Port = uri.Port, Code = EgressDecision.FailedCode,
                    Reason = "unresolved", Message = $"Host '{shown}' could not be resolved.",
                };
            }
        }

        foreach (var address in addresses)
        {
            if (DeniedAddresses.ReasonFor(address, rules.AllowLoopback) is { } reason)
            {
                // The message names the host, never the address: what an internal name resolves to is not the caller's to learn.
                return Denied(uri, shown, reason, $"Host '{shown}' resolves to a denied address.");
            }
        }

        return new EgressDecision { Allowed = true, Uri = uri, Host = shown, Port = uri.Port, Addresses = addresses };
    }

    private static bool IsLoopbackName(string host) => host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal);

    /// <summary>The canonical host, and the address when the host is an IP literal in any spelling a resolver would accept.</summary>
    private static bool ParseHost(Uri uri, out string host, out IPAddress? literal)
    {
        literal = null;
        host = "";
        if (uri.HostNameType == UriHostNameType.IPv6)
        {
            if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out literal) || literal.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            host = literal.ToString();
            return true;
        }

        var name = HostNames.Normalize(uri.IdnHost);
        if (name is null)
        {
            return false;
        }

        if (Ipv4Literal.TryParse(name, out var v4))
        {
            literal = v4;
            host = v4.ToString();
            return true;
        }

        host = name;
        return true;
    }

    private static EgressDecision Denied(Uri? uri, string host, string reason, string message) => new()
    {
        Allowed = false,
        Uri = uri,
        Host = host,
        Port = uri is { IsAbsoluteUri: true } ? uri.Port : 0,
        Code = EgressDecision.DeniedCode,
        Reason = reason,
        Message = message,
    };
}
