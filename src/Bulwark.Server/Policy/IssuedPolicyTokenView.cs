namespace Bulwark.Server.Policy;

/// <summary>The answer of <c>POST /v1/policy-tokens</c>: <c>{token, expires_at}</c>.</summary>
internal sealed record IssuedPolicyTokenView(string Token, DateTimeOffset ExpiresAt);
