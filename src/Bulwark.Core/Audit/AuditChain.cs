using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Audit;

/// <summary>
/// The hash chain of AUD-2, written in this one place: the stores seal with it and verify checks
/// with it. There is one chain per tenant (named by the tenant id) and one <see cref="SystemChain"/>
/// for entries without a tenant. Each entry's hash is HMAC-SHA256 under the <see cref="AuditKey"/>
/// of its canonical bytes, which include the previous entry's hash; the first entry of a chain
/// follows <see cref="Genesis"/>.
/// </summary>
public static class AuditChain
{
    /// <summary>The chain of entries that belong to no tenant.</summary>
    public const string SystemChain = "system";

    /// <summary>
    /// Where the schema step that added the chain put entries written before it: they carry no seal
    /// (the key is not in the database) and verify counts them, accepting them only before every sealed entry.
    /// </summary>
    public const string UnsealedChain = "unsealed";

    /// <summary>Bytes of a hash.</summary>
    public const int HashBytes = 32;

    // Names the encoding, so a future change of it can never verify as this one.
    private static readonly byte[] Version = Encoding.ASCII.GetBytes("bulwark.audit.v1");

    /// <summary>What the first entry of a chain points back to: 32 zero bytes.</summary>
    public static ReadOnlyMemory<byte> Genesis { get; } = new byte[HashBytes];

    /// <summary>The chain an entry of <paramref name="tenantId"/> belongs to.</summary>
    public static string ChainOf(string? tenantId) => tenantId ?? SystemChain;

    /// <summary>The tenant whose chain <paramref name="chain"/> is; null for the system chain.</summary>
    public static string? TenantOf(string chain) => chain == SystemChain ? null : chain;

    /// <summary>The hash that seals <paramref name="entry"/> as number <paramref name="chainSeq"/> of <paramref name="chain"/>.</summary>
    public static byte[] Seal(AuditKey key, AuditEntry entry, string chain, long chainSeq, ReadOnlySpan<byte> prevHash)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Mac(Canonical(entry, chain, chainSeq, prevHash));
    }

    /// <summary>True when <paramref name="hash"/> is the seal of the entry as stored (compared in constant time).</summary>
    public static bool Verifies(AuditKey key, AuditEntry entry, string chain, long chainSeq, ReadOnlySpan<byte> prevHash, ReadOnlySpan<byte> hash) =>
        CryptographicOperations.FixedTimeEquals(Seal(key, entry, chain, chainSeq, prevHash), hash);

    /// <summary>
    /// Every field, each length-prefixed (or fixed-width) and marked present or absent, so no two
    /// different entries share bytes. Times count whole milliseconds, as stored.
    /// </summary>
    public static byte[] Canonical(AuditEntry entry, string chain, long chainSeq, ReadOnlySpan<byte> prevHash)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(chain);
        if (prevHash.Length != HashBytes)
        {
            throw new ArgumentException($"A previous hash has {HashBytes} bytes.", nameof(prevHash));
        }

        var buffer = new List<byte>(256);
        Bytes(buffer, Version);
        Text(buffer, chain);
        Number(buffer, chainSeq);
        Number(buffer, entry.At.ToUnixTimeMilliseconds());
        Text(buffer, entry.TenantId);
        Text(buffer, entry.Actor);
        Text(buffer, entry.Action);
        Text(buffer, entry.Target);
        Text(buffer, entry.Outcome);
        Text(buffer, entry.RequestId);
        Text(buffer, entry.TraceId);
        Number(buffer, entry.LatencyMs);
        buffer.Add(entry.DryRun ? (byte)1 : (byte)0);
        Text(buffer, entry.DetailJson);
        Bytes(buffer, prevHash);
        return [.. buffer];
    }

    private static void Text(List<byte> buffer, string? value)
    {
        if (value is null)
        {
            buffer.Add(0);
            return;
        }

        buffer.Add(1);
        Bytes(buffer, Encoding.UTF8.GetBytes(value));
    }

    private static void Number(List<byte> buffer, long? value)
    {
        if (value is not { } v)
        {
            buffer.Add(0);
            return;
        }

        buffer.Add(1);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, v);
        buffer.AddRange(bytes);
    }

    private static void Bytes(List<byte> buffer, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
        buffer.AddRange(length);
        buffer.AddRange(value);
    }
}
