using Bulwark.Core.Errors;
using Bulwark.Core.Flags;
using Bulwark.Core.Manifests;
using Bulwark.Server.Audit;
using Bulwark.Server.Auth;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Manifests;

/// <summary>
/// <c>GET /v1/jobs/{id}/manifest</c> (<c>jobs:read</c>, JOB-11): the manifest as stored. Manifests
/// off for the caller's tenant → 403 <c>feature_disabled</c>; another tenant's job, or a job without
/// a manifest → 404, the same answer (TEN-1). With <c>audit_logging</c> on, the read is audited.
/// </summary>
internal static class ManifestEndpoint
{
    public static async Task<IResult> GetAsync(HttpContext http, IManifestStore manifests, IFeatureFlags flags, AuditTrail audit, string id)
    {
        var caller = Caller.Of(http);
        flags.Require(FeatureFlags.Manifests, caller.Tenant.TenantId);
        var manifest = await manifests.FindManifestAsync(caller.Tenant, id, http.RequestAborted)
            ?? throw new NotFoundException($"There is no manifest for job '{id}'.");
        if (flags.IsOn(FeatureFlags.AuditLogging, caller.Tenant.TenantId))
        {
            await audit.RecordAsync(
                audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "manifest.read", id, "success"), http.RequestAborted);
        }

        return TypedResults.Text(manifest.Json, "application/json");
    }
}
