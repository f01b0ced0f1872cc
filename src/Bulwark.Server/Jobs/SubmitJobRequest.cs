using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Http;

namespace Bulwark.Server.Jobs;

/// <summary>The body of <c>POST /v1/jobs</c> (API.md), read strictly.</summary>
internal sealed record SubmitJobRequest(
    string Template,
    JsonElement? Inputs,
    string? IdempotencyKey,
    int Priority,
    DateTimeOffset? RunAt,
    int? MaxAttempts,
    bool DryRun,
    string? PolicyToken)
{
    public const int MaxPriority = 1000;

    public static SubmitJobRequest Read(JsonElement body)
    {
        JsonBody.RequireOnly(body, "template", "inputs", "idempotency_key", "priority", "run_at", "max_attempts", "dry_run", "policy_token");
        var template = JsonBody.OptionalString(body, "template")
            ?? throw new InvalidPayloadException("The field 'template' is required.");
        Identifiers.Require(template, "template");
        var idempotencyKey = JsonBody.OptionalString(body, "idempotency_key");
        if (idempotencyKey is not null)
        {
            Identifiers.Require(idempotencyKey, "idempotency_key");
        }

        var priority = JsonBody.OptionalInt(body, "priority") ?? 0;
        if (Math.Abs(priority) > MaxPriority)
        {
            throw new InvalidPayloadException($"The field 'priority' must be between -{MaxPriority} and {MaxPriority}.");
        }

        var maxAttempts = JsonBody.OptionalInt(body, "max_attempts");
        if (maxAttempts is < 1 or > RetryPolicy.MaxAttemptsLimit)
        {
            throw new InvalidPayloadException($"The field 'max_attempts' must be between 1 and {RetryPolicy.MaxAttemptsLimit}.");
        }

        return new SubmitJobRequest(
            template,
            JsonBody.Optional(body, "inputs"),
            idempotencyKey,
            priority,
            JsonBody.OptionalTime(body, "run_at"),
            maxAttempts,
            JsonBody.OptionalBool(body, "dry_run") ?? false,
            JsonBody.OptionalString(body, "policy_token"));
    }
}
