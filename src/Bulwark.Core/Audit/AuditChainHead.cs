namespace Bulwark.Core.Audit;

/// <summary>What the store recorded as the last entry of a chain: verify's check that no entry was cut from its end.</summary>
public sealed record AuditChainHead(string Chain, long LastSeq, string LastHash);
