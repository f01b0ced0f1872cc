namespace Bulwark.Core.Identity;

/// <summary>
/// Whether a credential has been revoked (AUTH-5): by its token id (<c>jti</c>), its API key id,
/// its subject within its tenant, or its whole tenant. Every authenticator asks this after the
/// credential verified and before it is accepted. Implementations answer from a cache that
/// follows the shared store, so a revocation written on one node holds on every node within
/// seconds; the call is synchronous because it sits on every request.
/// </summary>
public interface IRevocationCheck
{
    bool IsRevoked(string tenantId, string? subject, string? tokenId, string? keyId);
}
