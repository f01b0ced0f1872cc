namespace Bulwark.Core.Jobs;

/// <summary>A job as stored (TEN-1: it always carries its tenant).</summary>
public sealed record Job
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string TemplateKey { get; init; }
    public required int TemplateVersion { get; init; }
    public required JobState State { get; init; }
    /// <summary>Attempts started so far (incremented at each claim).</summary>
    public required int Attempts { get; init; }
    public required int MaxAttempts { get; init; }
    public required int Priority { get; init; }
    /// <summary>The inputs as a JSON object text, validated against the template schema.</summary>
    public required string InputsJson { get; init; }
    public string? ResultJson { get; init; }
    public string? Error { get; init; }
    /// <summary>Machine-readable reason of the last failure (<c>timeout</c>, <c>exit_code</c>, <c>lease_expired</c>…).</summary>
    public string? ErrorCode { get; init; }
    public string? IdempotencyKey { get; init; }
    public required DateTimeOffset RunAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public bool CancelRequested { get; init; }
    public string? Actor { get; init; }
}
