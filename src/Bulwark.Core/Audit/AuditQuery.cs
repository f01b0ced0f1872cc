namespace Bulwark.Core.Audit;

/// <summary>
/// A tenant's page of its own audit entries (<c>GET /v1/audit</c>), newest first. Times bound
/// <see cref="AuditEntry.At"/> (from inclusive, to exclusive); <see cref="BeforeSeq"/> is the cursor:
/// only entries older than that sequence number.
/// </summary>
public sealed record AuditQuery
{
    public const int MaxLimit = 1000;

    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public string? Action { get; init; }
    public long? BeforeSeq { get; init; }
    public int Limit { get; init; } = 100;
}

/// <summary>
/// The operator's read of every chain (verify, export): entries after <see cref="AfterSeq"/> in store
/// order, optionally only one <see cref="Chain"/> and a time window (from inclusive, to exclusive).
/// </summary>
public sealed record AuditChainRead
{
    public const int MaxLimit = 5000;

    public long AfterSeq { get; init; }
    public int Limit { get; init; } = 1000;
    public string? Chain { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
}
