using System.Text.Json;
using Bulwark.Core.Jobs;

namespace Bulwark.Server.Jobs;

/// <summary>A job as the API shows it (API.md <c>GET /v1/jobs/{id}</c>), serialized snake_case.</summary>
internal sealed record JobView(
    string Id,
    string Template,
    int TemplateVersion,
    string State,
    int Attempts,
    int MaxAttempts,
    int Priority,
    JsonElement Inputs,
    JsonElement? Result,
    string? Error,
    string? ErrorCode,
    string? IdempotencyKey,
    bool CancelRequested,
    DateTimeOffset CreatedAt,
    DateTimeOffset RunAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    public static JobView Of(Job job) => new(
        job.Id,
        job.TemplateKey,
        job.TemplateVersion,
        job.State.ToName(),
        job.Attempts,
        job.MaxAttempts,
        job.Priority,
        JsonElement.Parse(job.InputsJson),
        job.ResultJson is null ? null : JsonElement.Parse(job.ResultJson),
        job.Error,
        job.ErrorCode,
        job.IdempotencyKey,
        job.CancelRequested,
        job.CreatedAt,
        job.RunAt,
        job.StartedAt,
        job.FinishedAt);
}

internal sealed record JobPageView(IReadOnlyList<JobView> Jobs, string? NextCursor);

internal sealed record DryRunView(bool DryRun, string Template, int TemplateVersion, JsonElement Inputs);
