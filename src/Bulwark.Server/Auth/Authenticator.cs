using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Audit;
using Bulwark.Server.Logging;
using Bulwark.Server.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Auth;

/// <summary>
/// Establishes the caller from whichever configured credential the request carries. Every
/// failure is audited (AUD-1) and answered with the same 401, whatever the reason.
/// </summary>
internal sealed class Authenticator(
    IEnumerable<ICredentialAuthenticator> authenticators,
    AuditTrail audit,
    BulwarkMetrics metrics,
    ILogger<Authenticator> logger)
{
    public async Task<Principal> AuthenticateAsync(HttpContext http, CancellationToken ct)
    {
        foreach (var authenticator in authenticators)
        {
            switch (await authenticator.AuthenticateAsync(http, ct))
            {
                case AuthenticationOutcome.Succeeded ok:
                    return ok.Principal;
                case AuthenticationOutcome.Refused refused:
                    await RecordRefusalAsync(http, refused.Reason, refused.TenantId, refused.CredentialId, ct);
                    throw new UnauthenticatedException();
            }
        }

        await RecordRefusalAsync(http, "no_credential", null, null, ct);
        throw new UnauthenticatedException();
    }

    private async Task RecordRefusalAsync(HttpContext http, string reason, string? tenantId, string? credentialId, CancellationToken ct)
    {
        var remote = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        Log.AuthRefused(logger, reason, remote);
        // OPS-2: the reason code only; tenant, credential and address stay in the audit entry.
        metrics.AuthFailed(reason);
        await audit.RecordRefusalAsync(http, "auth.failure", tenantId, credentialId ?? "anonymous", reason, remote, ct);
    }
}
