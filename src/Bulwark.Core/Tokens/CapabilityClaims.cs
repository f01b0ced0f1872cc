namespace Bulwark.Core.Tokens;

/// <summary>
/// What a capability token grants (AUTHZ-5): the runtime API of one attempt of one job of one
/// tenant, until <see cref="ExpiresAt"/>. <see cref="TokenId"/> ties the token to the run the
/// node registered, so a token of an earlier attempt (or another node's) never matches.
/// </summary>
public sealed record CapabilityClaims(string JobId, int Attempt, string TenantId, DateTimeOffset ExpiresAt, string TokenId);
