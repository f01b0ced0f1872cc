namespace Bulwark.Client;

/// <summary>One page of <c>GET /v1/jobs</c>, newest first; pass <see cref="NextCursor"/> to get the next.</summary>
public sealed record JobList(IReadOnlyList<JobView> Jobs, string? NextCursor);
