using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Flags;
using Bulwark.Core.Identity;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Tokens;
using Bulwark.Server.Audit;
using Bulwark.Server.Hosting;
using Bulwark.Server.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Policy;

/// <summary>
/// The one check of a policy token against a request (AUTHZ-3, JOB-8): an action template runs
/// only with a token of this server's secret (current or previous, SEC-3), unexpired, naming the
/// caller's tenant, this template, and scopes covering the template's <c>required_scope</c>.
/// Every refusal is audited with its reason (never the token) and answered 403, before anything
/// is stored. Tokens are not single-use: they live until they expire (1 h by default) or their
/// jti is revoked (AUTH-5), and each use is recorded with its jti.
/// </summary>
internal sealed class PolicyTokenGate(
    BulwarkOptions options, IFeatureFlags flags, AuditTrail audit, TimeProvider time, ILogger<PolicyTokenGate> logger)
{
    public const string UseAction = "policy_token.use";

    private readonly PolicyTokenSecrets? _secrets = PolicySettings.SecretsOf(options);

    /// <summary>
    /// The token's claims when it authorises <paramref name="template"/> for <paramref name="caller"/>;
    /// null when policy tokens are not required (warned at start). Throws <see cref="ForbiddenException"/>
    /// with code <c>policy_token_required</c> or <c>policy_token_invalid</c> otherwise.
    /// </summary>
    public async Task<PolicyClaims?> DemandAsync(HttpContext http, Principal caller, JobTemplate template, string? token, bool dryRun, CancellationToken ct)
    {
        // A guard (FLAG-1): off only where configuration and the store both say so, never by a tenant alone.
        if (!flags.IsOn(FeatureFlags.RequirePolicyTokens, caller.Tenant.TenantId))
        {
            return null;
        }

        if (string.IsNullOrEmpty(token))
        {
            await RefuseAsync(http, caller, template, "missing", null, dryRun, ct);
            throw new ForbiddenException(
                $"The template '{template.Key}' is an action: it needs a policy token (policy_token).", "policy_token_required");
        }

        var reason = Verify(http, caller, template, token, out var claims);
        if (reason is not null)
        {
            await RefuseAsync(http, caller, template, reason, claims, dryRun, ct);
            // One answer for every reason: the caller learns nothing about which part failed.
            throw new ForbiddenException($"The policy token does not authorise the template '{template.Key}'.", "policy_token_invalid");
        }

        return claims;
    }

    /// <summary>Records an accepted token's use once the request it authorised went through (AUD-1).</summary>
    public Task RecordUseAsync(HttpContext http, Principal caller, PolicyClaims claims, string target, bool dryRun, CancellationToken ct) =>
        audit.RecordAsync(
            audit.Entry(http, caller.Tenant.TenantId, caller.Subject, UseAction, target, "success", Detail(null, claims), dryRun),
            ct);

    private string? Verify(HttpContext http, Principal caller, JobTemplate template, string token, out PolicyClaims? claims)
    {
        claims = null;
        if (_secrets is null)
        {
            // Configuration refuses to start like this (AUTHZ-4); should it ever happen, refuse.
            return "no_secret_configured";
        }

        var check = PolicyToken.Check(_secrets, token, time.GetUtcNow(), out var verified);
        if (check != PolicyTokenCheck.Valid || verified is null)
        {
            return check switch
            {
                PolicyTokenCheck.Malformed => "malformed",
                PolicyTokenCheck.BadSignature => "bad_signature",
                PolicyTokenCheck.BadPayload => "bad_payload",
                PolicyTokenCheck.Expired => "expired",
                PolicyTokenCheck.BadLifetime => "bad_lifetime",
                _ => "invalid",
            };
        }

        claims = verified;
        if (!string.Equals(verified.Tenant, caller.Tenant.TenantName, StringComparison.Ordinal))
        {
            return "wrong_tenant";
        }

        if (!string.Equals(verified.Action, template.Key, StringComparison.Ordinal))
        {
            return "wrong_action";
        }

        if (template.Definition.RequiredScope is { } required && !Scopes.Covers(verified.Scopes, required))
        {
            return "insufficient_scopes";
        }

        // AUTH-5: a leaked token is stopped by revoking its jti (or its actor, or the tenant).
        var revocations = http.RequestServices.GetService<IRevocationCheck>();
        if (revocations is not null && revocations.IsRevoked(caller.Tenant.TenantId, verified.Actor, verified.TokenId, null))
        {
            return "revoked";
        }

        return null;
    }

    private async Task RefuseAsync(HttpContext http, Principal caller, JobTemplate template, string reason, PolicyClaims? claims, bool dryRun, CancellationToken ct)
    {
        Log.PolicyTokenRefused(logger, reason, template.Key, caller.Tenant.TenantName);
        await audit.RecordAsync(
            audit.Entry(http, caller.Tenant.TenantId, caller.Subject, UseAction, template.Key, "denied", Detail(reason, claims), dryRun),
            ct);
    }

    private static string Detail(string? reason, PolicyClaims? claims)
    {
        var detail = new Dictionary<string, object?>();
        if (reason is not null)
        {
            detail["reason"] = reason;
        }

        // Claims only from a token whose MAC verified; never the token itself (SEC-1).
        if (claims is not null)
        {
            detail["jti"] = claims.TokenId;
            detail["actor"] = claims.Actor;
            detail["action"] = claims.Action;
            detail["scopes"] = claims.Scopes;
            detail["token_tenant"] = claims.Tenant;
        }

        return JsonSerializer.Serialize(detail);
    }
}
