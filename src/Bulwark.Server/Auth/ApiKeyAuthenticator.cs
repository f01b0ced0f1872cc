using Bulwark.Core.Identity;
using Bulwark.Core.Keys;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Auth;

/// <summary>
/// API keys (AUTH-2): <c>Authorization: Bearer bwk_…</c>. The key id finds the row, the secret
/// is compared to its hash in constant time; revoked, expired and suspended-tenant keys are
/// refused exactly like unknown ones, so a 401 never tells whether a key exists. Revocations
/// (AUTH-5) are asked of <see cref="IRevocationCheck"/>, which follows every node's writes; the
/// tenant is still read per request, so a suspension (TEN-4) holds for keys at once.
/// </summary>
internal sealed class ApiKeyAuthenticator(IBulwarkStore store, IRevocationCheck revocations, TimeProvider time) : ICredentialAuthenticator
{
    public const string Method = "api_key";

    public async Task<AuthenticationOutcome> AuthenticateAsync(HttpContext http, CancellationToken ct)
    {
        var presented = BearerToken.From(http.Request);
        if (presented is null || !presented.StartsWith("bwk_", StringComparison.Ordinal))
        {
            return AuthenticationOutcome.None;
        }

        if (!ApiKeys.TryParse(presented, out var keyId, out var secret))
        {
            return new AuthenticationOutcome.Refused("malformed_api_key", null, null);
        }

        var key = await store.FindApiKeyAsync(keyId, ct);
        if (key is null)
        {
            // Hash anyway so an unknown id costs the same as a wrong secret.
            _ = ApiKeys.Hash(secret);
            return new AuthenticationOutcome.Refused("unknown_api_key", null, keyId);
        }

        if (!ApiKeys.Verify(key, secret))
        {
            return new AuthenticationOutcome.Refused("wrong_api_key_secret", key.TenantId, keyId);
        }

        if (!key.IsUsableAt(time.GetUtcNow()))
        {
            return new AuthenticationOutcome.Refused(key.RevokedAt is null ? "expired_api_key" : "revoked_api_key", key.TenantId, keyId);
        }

        var subject = $"key:{key.Id}";
        if (revocations.IsRevoked(key.TenantId, subject, tokenId: null, keyId: key.Id))
        {
            return new AuthenticationOutcome.Refused("revoked_credential", key.TenantId, keyId);
        }

        var tenant = await store.FindTenantByIdAsync(key.TenantId, ct);
        if (tenant is null || tenant.Suspended)
        {
            return new AuthenticationOutcome.Refused("tenant_unavailable", key.TenantId, keyId);
        }

        return new AuthenticationOutcome.Succeeded(
            new Principal(TenantScope.Of(tenant), subject, Method, Roles: [], key.Scopes));
    }
}
