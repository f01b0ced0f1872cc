namespace Bulwark.Core.Tokens;

/// <summary>
/// What a policy token authorises (AUTHZ-3): <see cref="Actor"/> of tenant <see cref="Tenant"/>
/// (its name) may start the action template <see cref="Action"/> with <see cref="Scopes"/>,
/// from <see cref="IssuedAt"/> until <see cref="ExpiresAt"/>. <see cref="TokenId"/> (jti) names
/// the token in the audit log and for revocation.
/// </summary>
public sealed record PolicyClaims(
    string Tenant,
    string Actor,
    string Action,
    IReadOnlyList<string> Scopes,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string TokenId);
