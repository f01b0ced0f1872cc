using Bulwark.Core.Flags;
using Bulwark.Server.Audit;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Flags;

/// <summary>
/// FLAG-1's full read trail: with <c>audit_logging</c> on for the tenant, every read of a job, a
/// job list, a log or a variable is an audit entry (who read what). Off, reads leave no entry;
/// the security entries of AUD-1 are written either way, elsewhere.
/// </summary>
internal sealed class ReadTrail(IFeatureFlags flags, AuditTrail audit)
{
    public const string JobRead = "job.read";
    public const string JobList = "job.list";
    public const string JobLogs = "job.logs";
    public const string VariableRead = "variable.read";

    public bool IsOn(string tenantId) => flags.IsOn(FeatureFlags.AuditLogging, tenantId);

    /// <summary>Records one successful read when the trail is on for <paramref name="tenantId"/>.</summary>
    public Task RecordAsync(
        HttpContext http, string tenantId, string actor, string action, string? target, CancellationToken ct, string? detailJson = null) =>
        IsOn(tenantId)
            ? audit.RecordAsync(audit.Entry(http, tenantId, actor, action, target, "success", detailJson), ct)
            : Task.CompletedTask;
}
