using Bulwark.Core.Audit;

namespace Bulwark.Storage.Common.Rows;

/// <summary>An audit_chain_heads row as selected with <see cref="Columns"/>.</summary>
public sealed class AuditChainHeadRow
{
    public const string Columns = "chain AS Chain, last_seq AS LastSeq, last_hash AS LastHash";

    public string Chain { get; set; } = "";
    public long LastSeq { get; set; }
    public byte[] LastHash { get; set; } = [];

    public AuditChainHead ToHead() => new(Chain, LastSeq, Convert.ToHexStringLower(LastHash));
}
