namespace Bulwark.Core.Audit;

/// <summary>
/// An audit entry as stored: its content and its place in its chain (AUD-2). Hashes are lowercase
/// hex, as exported.
/// </summary>
public sealed record SealedAuditEntry(AuditEntry Entry, string Chain, long ChainSeq, string PrevHash, string Hash);
