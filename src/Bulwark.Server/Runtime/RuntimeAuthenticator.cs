using Bulwark.Core.Errors;
using Bulwark.Core.Tokens;
using Bulwark.Server.Audit;
using Bulwark.Server.Auth;
using Bulwark.Server.Logging;
using Bulwark.Server.Workers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Runtime;

/// <summary>
/// The runtime API's only credential (AUTHZ-5, AUTH-7): a capability token of this node, intact
/// and unexpired, whose run is live here with the same attempt, tenant and token id. The lease
/// the request then acts under comes from that run, never from anything the caller sends, so a
/// token of run A can only ever touch run A's data. Refusals are audited and answered with one
/// 401 whatever the reason; successes are not audited (this is the jobs' hot path).
/// </summary>
internal sealed class RuntimeAuthenticator(
    RuntimeTokens tokens,
    RunningJobs runs,
    AuditTrail audit,
    ILogger<RuntimeAuthenticator> logger)
{
    public const string AuditAction = "runtime.auth.failure";

    public async Task<RuntimeCaller> AuthenticateAsync(HttpContext http, CancellationToken ct)
    {
        var presented = BearerToken.From(http.Request);
        if (presented is null)
        {
            await RefuseAsync(http, "no_credential", null, ct);
        }

        switch (tokens.Check(presented, out var claims))
        {
            case CapabilityTokenCheck.Valid:
                break;
            case CapabilityTokenCheck.Malformed:
                // A user API key, a JWT, or garbage: none of them is a credential here (AUTH-7).
                await RefuseAsync(http, presented!.StartsWith(CapabilityToken.Prefix + ".", StringComparison.Ordinal)
                    ? "malformed_capability_token" : "not_a_capability_token", null, ct);
                break;
            case var failed:
                await RefuseAsync(http, failed switch
                {
                    CapabilityTokenCheck.Expired => "expired_capability_token",
                    CapabilityTokenCheck.BadSignature => "bad_capability_signature",
                    _ => "bad_capability_payload",
                }, null, ct);
                break;
        }

        var run = runs.Find(claims!.JobId);
        if (run is null
            || run.Lease.Attempt != claims.Attempt
            || !string.Equals(run.TokenId, claims.TokenId, StringComparison.Ordinal)
            || !string.Equals(run.TenantId, claims.TenantId, StringComparison.Ordinal)
            || !run.RuntimeOpen)
        {
            // The run ended (or is another attempt's): its token died with it.
            await RefuseAsync(http, "run_not_live", claims, ct);
        }

        return new RuntimeCaller(claims, run!);
    }

    private async Task RefuseAsync(HttpContext http, string reason, CapabilityClaims? claims, CancellationToken ct)
    {
        var remote = http.Connection.RemoteIpAddress?.ToString() ?? "runtime-socket";
        Log.AuthRefused(logger, reason, remote);
        await audit.RecordRefusalAsync(
            http, AuditAction, claims?.TenantId, claims is null ? "anonymous" : $"task:{claims.JobId}", reason, remote, ct,
            ("attempt", claims?.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        throw new UnauthenticatedException();
    }
}
