using System.Text.Json;

namespace Bulwark.Client;

/// <summary>A job as the API shows it (<c>GET /v1/jobs/{id}</c>).</summary>
public sealed record JobView
{
    public required string Id { get; init; }
    public required string Template { get; init; }
    public int TemplateVersion { get; init; }
    /// <summary><c>scheduled</c>, <c>queued</c>, <c>running</c>, <c>retrying</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c> or <c>dead</c>.</summary>
    public required string State { get; init; }
    public int Attempts { get; init; }
    public int MaxAttempts { get; init; }
    public int Priority { get; init; }
    public JsonElement? Inputs { get; init; }
    public JsonElement? Result { get; init; }
    public string? Error { get; init; }
    public string? ErrorCode { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RunAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public bool CancelRequested { get; init; }

    /// <summary>True once the job can change no more: succeeded, failed, cancelled or dead.</summary>
    public bool IsFinished => State is "succeeded" or "failed" or "cancelled" or "dead";
}
