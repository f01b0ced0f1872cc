using System.Net;
using Bulwark.Core.Egress;

namespace Bulwark.Server.Egress;

/// <summary>The host's resolver. The guard calls it once per request and connects only to what it returned (no rebinding).</summary>
internal sealed class SystemHostResolver : IHostResolver
{
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken ct) =>
        await Dns.GetHostAddressesAsync(host, ct);
}
