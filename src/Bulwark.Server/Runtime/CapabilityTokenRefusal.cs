using Bulwark.Core.Tokens;
using Bulwark.Server.Auth;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Runtime;

/// <summary>
/// AUTH-7 on the user API: a capability token is job code's credential and never a user's. No
/// user authenticator accepts one anyway; this one names the attempt in the audit log
/// (<c>capability_token_on_user_api</c>), since it means job code tried to reach out.
/// </summary>
internal sealed class CapabilityTokenRefusal : ICredentialAuthenticator
{
    public Task<AuthenticationOutcome> AuthenticateAsync(HttpContext http, CancellationToken ct) =>
        Task.FromResult<AuthenticationOutcome>(
            BearerToken.From(http.Request) is { } presented
            && presented.StartsWith(CapabilityToken.Prefix + ".", StringComparison.Ordinal)
                ? new AuthenticationOutcome.Refused("capability_token_on_user_api", null, null)
                : AuthenticationOutcome.None);
}
