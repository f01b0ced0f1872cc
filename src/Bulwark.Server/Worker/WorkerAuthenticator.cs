using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Tokens;
using Bulwark.Server.Audit;
using Bulwark.Server.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Worker;

/// <summary>
/// The worker API's only credential (AUTH-7): <c>Authorization: Bearer &lt;BULWARK_WORKER_TOKEN&gt;</c>
/// plus an <c>X-Worker-Id</c> that follows the identifier rule. API keys, JWTs and capability
/// tokens are refused here like any wrong token. Every refusal is audited
/// (<c>worker.auth.failure</c>, with the reason) and answered with the same bare 401.
/// </summary>
internal sealed class WorkerAuthenticator(WorkerToken token, AuditTrail audit, ILogger<WorkerAuthenticator> logger)
{
    public const string AuditAction = "worker.auth.failure";
    public const string WorkerIdHeader = "X-Worker-Id";

    public async Task<WorkerCaller> AuthenticateAsync(HttpContext http, CancellationToken ct)
    {
        var presented = BearerToken.From(http.Request);
        var workerId = http.Request.Headers[WorkerIdHeader].ToString();
        var reason = presented switch
        {
            null => "no_credential",
            _ when token.Matches(presented) => Identifiers.IsValid(workerId) ? null : "bad_worker_id",
            // Named apart only for the audit log: a user's or a job's credential aimed at the workers' API.
            _ when presented.StartsWith("bwk_", StringComparison.Ordinal) => "api_key_on_worker_api",
            _ when presented.StartsWith(CapabilityToken.Prefix + ".", StringComparison.Ordinal) => "capability_token_on_worker_api",
            _ => "wrong_worker_token",
        };

        if (reason is null)
        {
            return new WorkerCaller(workerId);
        }

        var remote = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var named = Identifiers.IsValid(workerId) ? workerId : null;
        WorkerLog.Refused(logger, reason, remote);
        await audit.RecordRefusalAsync(
            http, AuditAction, null, named is null ? "anonymous" : "worker:" + named, reason, remote, ct, ("worker_id", named));
        throw new UnauthenticatedException();
    }
}
