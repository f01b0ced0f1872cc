using Bulwark.Core.Templates;

namespace Bulwark.Core.Jobs;

/// <summary>A validated submission, ready to enqueue. The id is chosen by the caller (<see cref="JobIds"/>).</summary>
public sealed record NewJob
{
    public required string Id { get; init; }
    public required JobTemplate Template { get; init; }
    public required string InputsJson { get; init; }
    public required int MaxAttempts { get; init; }
    public int Priority { get; init; }
    public string? IdempotencyKey { get; init; }
    /// <summary>When the job becomes claimable. In the future: the job starts as <see cref="JobState.Scheduled"/>.</summary>
    public required DateTimeOffset RunAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string? Actor { get; init; }
}
