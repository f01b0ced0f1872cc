using Bulwark.Core.Audit;

namespace Bulwark.Storage.Common;

/// <summary>
/// An entry sealed as the next of its chain (AUD-2): what both stores insert into audit_log and
/// write back as the chain's head, in the transaction that holds the head.
/// </summary>
public sealed record AuditSeal(AuditEntry Entry, string Chain, long ChainSeq, byte[] PrevHash, byte[] Hash)
{
    /// <summary>Seals <paramref name="entry"/> after a head of (<paramref name="lastSeq"/>, <paramref name="lastHash"/>); a chain without a head starts at <see cref="AuditChain.Genesis"/>.</summary>
    public static AuditSeal Next(AuditKey key, AuditEntry entry, long lastSeq, byte[]? lastHash)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var chain = AuditChain.ChainOf(entry.TenantId);
        var prev = lastHash ?? AuditChain.Genesis.ToArray();
        var seq = lastSeq + 1;
        return new AuditSeal(entry, chain, seq, prev, AuditChain.Seal(key, entry, chain, seq, prev));
    }

    /// <summary>Names the setting when a store that writes audit entries was given no key.</summary>
    public static AuditKey Require(AuditKey? key) =>
        key ?? throw new InvalidOperationException(
            "The store has no audit key: set BULWARK_AUDIT_KEY (PostgresStoreOptions.AuditKey) to write audit entries.");

    /// <summary>The JSON detail of a purge record: row counts per table, nothing of what they held.</summary>
    public static string PurgeDetail(IReadOnlyDictionary<string, long> rowsByTable) =>
        System.Text.Json.JsonSerializer.Serialize(
            new SortedDictionary<string, long>(rowsByTable.ToDictionary(), StringComparer.Ordinal));
}
