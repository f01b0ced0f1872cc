using System.Text.Json.Nodes;

namespace Bulwark.Client;

/// <summary>The body of <c>POST /v1/jobs</c>. Null fields are left out so the server's defaults apply.</summary>
public sealed record SubmitJobRequest
{
    public required string Template { get; init; }
    public JsonObject Inputs { get; init; } = [];
    public string? IdempotencyKey { get; init; }
    public int? Priority { get; init; }
    public DateTimeOffset? RunAt { get; init; }
    public int? MaxAttempts { get; init; }
    public bool? DryRun { get; init; }
}
