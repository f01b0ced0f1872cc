using System.Collections.Concurrent;
using Bulwark.Core.Tenancy;

namespace Bulwark.Server.Logs;

/// <summary>
/// At most <see cref="PerIdentity"/> live log streams per identity (JOB-6, seed 003
/// <c>sseConnections: { concurrent: 5 }</c>), counted on this node. A stream holds its slot
/// until it is disposed, whatever ended it.
/// </summary>
internal sealed class LogStreamSlots
{
    public const int PerIdentity = 5;

    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>A held slot, or null when the identity already has <see cref="PerIdentity"/> open.</summary>
    public IDisposable? TryTake(Principal caller)
    {
        // Tenant and subject together: the same subject name in two tenants is two identities.
        var identity = caller.Tenant.TenantId + "\n" + caller.Subject;
        while (true)
        {
            var open = _open.GetOrAdd(identity, 0);
            if (open >= PerIdentity)
            {
                return null;
            }

            if (_open.TryUpdate(identity, open + 1, open))
            {
                return new Slot(this, identity);
            }
        }
    }

    private void Release(string identity)
    {
        while (true)
        {
            var open = _open[identity];
            if (open == 1 ? _open.TryRemove(KeyValuePair.Create(identity, 1)) : _open.TryUpdate(identity, open - 1, open))
            {
                return;
            }
        }
    }

    private sealed class Slot(LogStreamSlots slots, string identity) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release(identity);
            }
        }
    }
}
