namespace Bulwark.Core.Audit;

/// <summary>
/// One audit record (AUD-1). Append-only: stores offer no update or delete. The store seals each
/// entry into its chain (AUD-2, <see cref="AuditChain"/>) as it appends it.
/// </summary>
public sealed record AuditEntry
{
    public long Sequence { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>Null for operator actions outside any tenant.</summary>
    public string? TenantId { get; init; }
    public required string Actor { get; init; }
    /// <summary>Dotted verb, e.g. <c>job.submit</c>, <c>auth.failure</c>, <c>key.create</c>.</summary>
    public required string Action { get; init; }
    public string? Target { get; init; }
    /// <summary><c>success</c>, <c>denied</c>, <c>failure</c>.</summary>
    public required string Outcome { get; init; }
    public string? RequestId { get; init; }
    public string? TraceId { get; init; }
    public long? LatencyMs { get; init; }
    public bool DryRun { get; init; }
    /// <summary>Small JSON object of extra facts (never secrets, never raw inputs: a hash instead).</summary>
    public string? DetailJson { get; init; }
}
