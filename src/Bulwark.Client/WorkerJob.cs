using System.Text.Json;

namespace Bulwark.Client;

/// <summary>One job claimed through the worker API: its lease, the exact template to run (canonical JSON) and its inputs.</summary>
public sealed record WorkerJob
{
    public required string JobId { get; init; }
    public required string TenantId { get; init; }
    public required string TemplateKey { get; init; }
    public required int TemplateVersion { get; init; }
    public required int Attempt { get; init; }
    public required int MaxAttempts { get; init; }
    public required string LeaseToken { get; init; }
    public required DateTimeOffset LeaseExpiresAt { get; init; }
    public required JsonElement Template { get; init; }
    public required JsonElement Inputs { get; init; }
}
