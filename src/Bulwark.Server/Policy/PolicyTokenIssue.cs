namespace Bulwark.Server.Policy;

/// <summary>What issuing a policy token came to: the token, or a refusal by the per-tenant limit (NET-3).</summary>
internal abstract record PolicyTokenIssue
{
    public sealed record Issued(string Token, DateTimeOffset ExpiresAt) : PolicyTokenIssue;

    public sealed record RateLimited(TimeSpan RetryAfter, int Limit) : PolicyTokenIssue;
}
