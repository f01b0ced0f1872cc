using Bulwark.Core.Flags;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Audit;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Flags;

/// <summary>
/// The flags API (FLAG-1, FLAG-2): each flag as it holds for the caller's tenant, and the tenant's
/// own value. A tenant may set only its own value, which can only make it stricter than the node
/// (the effective value is the stricter of all), so no tenant reaches another or the node-wide
/// values; those are the operator's, through the CLI, as is every value of <c>audit_logging</c>.
/// </summary>
internal sealed class TenantFlags(
    BulwarkOptions options,
    FlagState state,
    IFlagStore store,
    AuditTrail audit,
    TimeProvider time,
    ILogger<TenantFlags> logger)
{
    public IReadOnlyList<FlagView> List(Principal caller)
    {
        var snapshot = state.Snapshot;
        var tenantId = caller.Tenant.TenantId;
        return FeatureFlags.All
            .Select(f => new FlagView(
                f.Name,
                options.Configured(f),
                snapshot.Node(f),
                snapshot.Tenant(f, tenantId),
                state.IsOn(f, tenantId),
                f.Setting,
                f.Description))
            .ToList();
    }

    public async Task<FlagView> SetAsync(HttpContext http, Principal caller, string name, bool on, CancellationToken ct)
    {
        var flag = FlagAudit.Require(name);
        if (flag == FeatureFlags.AuditLogging)
        {
            // The read trail watches the tenant's own readers: a tenant admin switching it off
            // before reading data out is what it is for. Only the operator sets it (CLI, --tenant).
            throw new Core.Errors.ForbiddenException(
                "The read trail (audit_logging) is set by the operator only (bulwark flags set audit_logging on|off --tenant).");
        }

        var tenant = caller.Tenant;
        var old = await store.SetFlagAsync(new StoredFlag(tenant.TenantId, flag.Name, on, caller.Subject, time.GetUtcNow()), ct);
        await audit.RecordAsync(
            audit.Entry(
                http, tenant.TenantId, caller.Subject, FlagAudit.SetAction, flag.Name, "success",
                FlagAudit.Detail(old, on, FlagAudit.Scope(tenant.TenantName))),
            ct);
        FlagsLog.TenantFlagSet(logger, flag.Name, FlagAudit.Word(on), tenant.TenantName, caller.Subject);
        // FLAG-2: this node acts on the change at once; the others within their refresh period.
        await state.RefreshAsync(ct);
        return List(caller).First(v => v.Name == flag.Name);
    }
}
