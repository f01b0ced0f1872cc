using System.Net;
using System.Net.Sockets;
using Bulwark.Core.Egress;

namespace Bulwark.Core.Tests.Egress;

/// <summary>DNS as the test says it is: no real lookup ever leaves the process. Records every name asked.</summary>
internal sealed class FakeResolver(Dictionary<string, string[]> answers) : IHostResolver
{
    public List<string> Asked { get; } = [];

    public Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken ct)
    {
        Asked.Add(host);
        return answers.TryGetValue(host, out var addresses)
            ? Task.FromResult<IReadOnlyList<IPAddress>>([.. addresses.Select(IPAddress.Parse)])
            : throw new SocketException((int)SocketError.HostNotFound);
    }
}
