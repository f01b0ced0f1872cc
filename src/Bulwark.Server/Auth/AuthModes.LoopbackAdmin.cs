using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Operations;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Auth;

/// <summary>
/// <c>BULWARK_AUTH_MODE=none</c> (AUTH-1): every request is the <c>default</c> tenant's admin.
/// Configuration allows it only when every listening address is loopback (AUTHZ-4) and the
/// server says so loudly at start. Capability tokens are left to their refusal (AUTH-7).
/// </summary>
internal sealed class LoopbackAdminAuthenticator(IBulwarkStore store) : ICredentialAuthenticator
{
    public const string Method = "none";
    public const string Subject = "local-admin";

    private Principal? _admin;

    public async Task<AuthenticationOutcome> AuthenticateAsync(HttpContext http, CancellationToken ct)
    {
        if (BearerToken.From(http.Request) is { } presented && presented.StartsWith("bwc1.", StringComparison.Ordinal))
        {
            return AuthenticationOutcome.None;
        }

        var admin = _admin;
        if (admin is null)
        {
            var tenant = await store.FindTenantByNameAsync(FirstStart.DefaultTenant, ct);
            if (tenant is null)
            {
                return new AuthenticationOutcome.Refused("no_default_tenant", null, null);
            }

            admin = _admin = new Principal(TenantScope.Of(tenant), Subject, Method, ["admin"], [Scopes.All]);
        }

        return new AuthenticationOutcome.Succeeded(admin);
    }
}
