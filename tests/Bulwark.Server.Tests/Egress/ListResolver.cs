using System.Net;
using System.Net.Sockets;
using Bulwark.Core.Egress;

namespace Bulwark.Server.Tests.Egress;

/// <summary>DNS as the test says it is, for names no real resolver knows (<c>*.test</c>); counts the lookups.</summary>
internal sealed class ListResolver(Dictionary<string, string[]> answers) : IHostResolver
{
    private int _lookups;

    public int Lookups => Volatile.Read(ref _lookups);

    public Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken ct)
    {
        Interlocked.Increment(ref _lookups);
        return answers.TryGetValue(host, out var addresses)
            ? Task.FromResult<IReadOnlyList<IPAddress>>([.. addresses.Select(IPAddress.Parse)])
            : throw new SocketException((int)SocketError.HostNotFound);
    }
}
