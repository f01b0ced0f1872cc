using System.Net;

namespace Bulwark.Core.Egress;

/// <summary>
/// Turns a host name into the addresses it names. Injected so the guard's decisions can be
/// tested without DNS, and so the server resolves a name exactly once per request (NET-1).
/// </summary>
public interface IHostResolver
{
    /// <exception cref="System.Net.Sockets.SocketException">The name does not resolve.</exception>
    Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken ct);
}
