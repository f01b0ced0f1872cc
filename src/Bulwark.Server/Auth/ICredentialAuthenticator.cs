using Bulwark.Core.Tenancy;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Auth;

/// <summary>
/// One way of proving who you are (AUTH-1). API keys now; JWT and mTLS plug in beside it.
/// An authenticator answers only for credentials of its own shape.
/// </summary>
internal interface ICredentialAuthenticator
{
    Task<AuthenticationOutcome> AuthenticateAsync(HttpContext http, CancellationToken ct);
}

internal abstract record AuthenticationOutcome
{
    /// <summary>The request carries no credential of this kind.</summary>
    public sealed record NotPresented : AuthenticationOutcome;

    public sealed record Succeeded(Principal Principal) : AuthenticationOutcome;

    /// <summary>A credential of this kind was presented and refused. <see cref="Reason"/> is for the audit log, never the client.</summary>
    public sealed record Refused(string Reason, string? TenantId, string? CredentialId) : AuthenticationOutcome;

    public static readonly NotPresented None = new();
}
