using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Tokens;
using Bulwark.Server.Audit;
using Bulwark.Server.Auth;
using Bulwark.Server.Hosting;
using Bulwark.Server.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Policy;

/// <summary>
/// Mints policy tokens for the caller's own tenant (AUTHZ-3), at most
/// <see cref="BulwarkOptions.RateLimitPolicyTokensPerHour"/> per tenant per sliding hour (NET-3).
/// The count is the tenant's <c>policy_token.issue</c> audit entries, so the limit holds across
/// every node sharing the store; the entry is written before the token is returned, so a token
/// never exists without being counted.
/// </summary>
internal sealed class PolicyTokenIssuer(
    BulwarkOptions options,
    IBulwarkStore store,
    AuditTrail audit,
    TimeProvider time,
    ILogger<PolicyTokenIssuer> logger)
{
    public const string IssueAction = "policy_token.issue";

    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly PolicyTokenSecrets? _secrets = PolicySettings.SecretsOf(options);

    // Count-then-append is one step within this node; across nodes two issues racing at the edge
    // of the limit may both pass (at most one extra per node), which the hourly window absorbs.
    private readonly SemaphoreSlim _issuing = new(1, 1);

    public async Task<PolicyTokenIssue> IssueAsync(HttpContext http, Principal caller, IssuePolicyTokenRequest request, CancellationToken ct)
    {
        var secrets = _secrets ?? throw new UnavailableException(
            "Policy tokens are not configured on this server (BULWARK_POLICY_TOKEN_SECRET).", "policy_tokens_unavailable");

        // A token never grants more than its issuer holds: tokens:issue alone is not a way to ops:write.
        foreach (var scope in request.Scopes)
        {
            await ScopeRequirement.DemandAsync(http, caller, scope);
        }

        await _issuing.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            var limit = options.RateLimitPolicyTokensPerHour;
            var tally = await store.CountAuditAsync(caller.Tenant, IssueAction, "success", now - Window, ct);
            if (tally.Count >= limit)
            {
                var retryAfter = (tally.Earliest ?? now) + Window - now;
                Log.PolicyTokenRateLimited(logger, caller.Tenant.TenantName, tally.Count);
                await audit.RecordAsync(
                    audit.Entry(http, caller.Tenant.TenantId, caller.Subject, IssueAction, request.Action, "denied",
                        JsonSerializer.Serialize(new Dictionary<string, object>
                        {
                            ["reason"] = "rate_limited",
                            ["limit_per_hour"] = limit,
                            ["actor"] = request.Actor,
                        })),
                    ct);
                return new PolicyTokenIssue.RateLimited(retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(1), limit);
            }

            var claims = PolicyToken.NewClaims(caller.Tenant.TenantName, request.Actor, request.Action, request.Scopes, now, request.Ttl);
            var token = PolicyToken.Mint(secrets, claims);
            await audit.RecordAsync(
                audit.Entry(http, caller.Tenant.TenantId, caller.Subject, IssueAction, claims.TokenId, "success",
                    JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["jti"] = claims.TokenId,
                        ["actor"] = claims.Actor,
                        ["action"] = claims.Action,
                        ["scopes"] = claims.Scopes,
                        ["expires_at"] = claims.ExpiresAt,
                    })),
                ct);
            return new PolicyTokenIssue.Issued(token, claims.ExpiresAt);
        }
        finally
        {
            _issuing.Release();
        }
    }
}
