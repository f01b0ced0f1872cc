using Bulwark.Core.Audit;

namespace Bulwark.Storage.Common.Rows;

/// <summary>An audit_log row as selected with <see cref="Columns"/> (content) or <see cref="SealedColumns"/> (content and chain).</summary>
public sealed class AuditRow
{
    public const string Columns =
        "seq AS Seq, at AS At, tenant_id AS TenantId, actor AS Actor, action AS Action, target AS Target, "
        + "outcome AS Outcome, request_id AS RequestId, trace_id AS TraceId, latency_ms AS LatencyMs, "
        + "dry_run AS DryRun, detail_json AS DetailJson";

    public const string SealedColumns =
        Columns + ", chain AS Chain, chain_seq AS ChainSeq, prev_hash AS PrevHash, hash AS Hash";

    public long Seq { get; set; }
    public long At { get; set; }
    public string? TenantId { get; set; }
    public string Actor { get; set; } = "";
    public string Action { get; set; } = "";
    public string? Target { get; set; }
    public string Outcome { get; set; } = "";
    public string? RequestId { get; set; }
    public string? TraceId { get; set; }
    public long? LatencyMs { get; set; }
    /// <summary>A PostgreSQL boolean, or a SQLite integer 0/1 (converted as it is read).</summary>
    public bool DryRun { get; set; }
    public string? DetailJson { get; set; }
    public string Chain { get; set; } = AuditChain.UnsealedChain;
    public long ChainSeq { get; set; }
    public byte[] PrevHash { get; set; } = [];
    public byte[] Hash { get; set; } = [];

    public AuditEntry ToEntry() => new()
    {
        Sequence = Seq,
        At = UnixMs.To(At),
        TenantId = TenantId,
        Actor = Actor,
        Action = Action,
        Target = Target,
        Outcome = Outcome,
        RequestId = RequestId,
        TraceId = TraceId,
        LatencyMs = LatencyMs,
        DryRun = DryRun,
        DetailJson = DetailJson,
    };

    public SealedAuditEntry ToSealed() =>
        new(ToEntry(), Chain, ChainSeq, Convert.ToHexStringLower(PrevHash), Convert.ToHexStringLower(Hash));
}
