using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Server.Auth.Jwt;

/// <summary>What a token proved once its signature and times checked out; kept so the same token is not verified twice.</summary>
internal sealed record ValidatedToken(
    string Subject,
    string TenantName,
    string[] Roles,
    string[] Scopes,
    string? Email,
    string? TokenId,
    DateTimeOffset Expires,
    SecurityKey Key);
