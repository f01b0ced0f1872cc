using Bulwark.Core.Identity;
using Bulwark.Core.Storage;
using RevocationRecord = Bulwark.Core.Identity.Revocation;

namespace Bulwark.Server.Revocation;

/// <summary>
/// The node's answer to <see cref="IRevocationCheck"/> (AUTH-5): an immutable
/// <see cref="RevocationSnapshot"/> that <see cref="RevocationRefresher"/> rebuilds from the shared
/// store every few seconds, so a revocation or suspension written by any node or by the CLI holds
/// here within that bound. Reads are a plain load of the current snapshot: no lock on the request
/// path. A revocation written through this node is also applied at once (<see cref="Apply"/>).
/// </summary>
internal sealed class RevocationCache(IBulwarkStore store, TimeProvider time) : IRevocationCheck
{
    private readonly Lock _writers = new();

    // Written through this node but not yet seen in a refresh: kept and merged until a refresh
    // that read the store after the write has them, so a refresh that raced the write cannot
    // drop a revocation from the snapshot, even for a moment.
    private readonly List<RevocationRecord> _local = [];

    private IReadOnlyList<RevocationRecord> _stored = [];
    private IReadOnlyList<string> _suspended = [];
    private volatile RevocationSnapshot _current = RevocationSnapshot.Empty;

    /// <summary>When the snapshot last came from the store (null: never yet).</summary>
    public DateTimeOffset? RefreshedAt { get; private set; }

    public bool IsRevoked(string tenantId, string? subject, string? tokenId, string? keyId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        return _current.IsRevoked(tenantId, subject, tokenId, keyId);
    }

    /// <summary>Reads every revocation in force and every suspended tenant from the store, and swaps the snapshot.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var revocations = await store.ListRevocationsAsync(now, ct);
        var tenants = await store.ListTenantsAsync(ct);
        var suspended = new List<string>();
        foreach (var tenant in tenants)
        {
            if (tenant.Suspended)
            {
                suspended.Add(tenant.Id);
            }
        }

        lock (_writers)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var r in revocations)
            {
                seen.Add(r.Id);
            }

            _local.RemoveAll(r => seen.Contains(r.Id) || !r.IsInForceAt(now));
            _stored = revocations;
            _suspended = suspended;
            _current = RevocationSnapshot.Build(_stored.Concat(_local), _suspended, now);
            RefreshedAt = now;
        }
    }

    /// <summary>Holds <paramref name="revocation"/> on this node at once; call after it was stored.</summary>
    public void Apply(RevocationRecord revocation)
    {
        ArgumentNullException.ThrowIfNull(revocation);
        lock (_writers)
        {
            _local.Add(revocation);
            _current = RevocationSnapshot.Build(_stored.Concat(_local), _suspended, time.GetUtcNow());
        }
    }
}
