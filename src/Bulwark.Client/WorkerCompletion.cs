using System.Text.Json;

namespace Bulwark.Client;

/// <summary>
/// How an attempt ended, as a remote worker reports it. <see cref="Outcome"/> is one of
/// <c>succeeded</c>, <c>retryable_failure</c>, <c>permanent_failure</c>, <c>cancelled</c>; the server
/// decides the job's next state from it and cuts the output to the template's limit.
/// </summary>
public sealed record WorkerCompletion
{
    public required string JobId { get; init; }
    public required int Attempt { get; init; }
    public required string LeaseToken { get; init; }
    public required string Outcome { get; init; }
    public JsonElement? Result { get; init; }
    public string? Error { get; init; }
    public string? ErrorCode { get; init; }
    public int? ExitCode { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
}
