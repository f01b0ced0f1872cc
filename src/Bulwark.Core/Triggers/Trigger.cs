namespace Bulwark.Core.Triggers;

/// <summary>
/// One trigger of a tenant (JOB-9), named per tenant. A cron trigger carries its schedule, zone,
/// fixed inputs (JSON object text) and <see cref="NextFireAt"/>, the occurrence it fires next (null
/// while disabled); an event trigger carries the event type that starts it.
/// </summary>
public sealed record Trigger
{
    public required string TenantId { get; init; }
    public required string Name { get; init; }
    public required TriggerKind Kind { get; init; }
    public required string TemplateKey { get; init; }
    public string? Cron { get; init; }
    public string? TimeZone { get; init; }
    public string? EventType { get; init; }
    public string? InputsJson { get; init; }
    /// <summary>After downtime, fire the most recent missed occurrence once instead of skipping them all.</summary>
    public bool CatchUp { get; init; }
    public bool Enabled { get; init; } = true;
    public DateTimeOffset? NextFireAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
