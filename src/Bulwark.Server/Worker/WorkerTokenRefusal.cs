using Bulwark.Server.Auth;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Worker;

/// <summary>
/// AUTH-7 on the user API: the worker token is never a user's credential. No user authenticator
/// would accept it anyway; this one names it in the audit log (<c>worker_token_on_user_api</c>),
/// since it means the token is being used where it must not be.
/// </summary>
internal sealed class WorkerTokenRefusal(WorkerToken token) : ICredentialAuthenticator
{
    public Task<AuthenticationOutcome> AuthenticateAsync(HttpContext http, CancellationToken ct) =>
        Task.FromResult<AuthenticationOutcome>(
            token.Enabled && token.Matches(BearerToken.From(http.Request))
                ? new AuthenticationOutcome.Refused("worker_token_on_user_api", null, null)
                : AuthenticationOutcome.None);
}
