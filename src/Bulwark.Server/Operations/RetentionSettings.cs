using Bulwark.Core.Retention;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Operations;

/// <summary>
/// AUD-3: how long each data type is kept, node-wide (<c>BULWARK_RETENTION_&lt;KIND&gt;_DAYS</c>,
/// SPEC's defaults: audit 365, jobs, events and manifests 90, replay bundles 30) and per tenant
/// (<c>BULWARK_RETENTION_&lt;KIND&gt;_DAYS_&lt;TENANT&gt;</c>, see <see cref="RetentionOverrides"/>).
/// </summary>
public static class RetentionSettings
{
    /// <summary>Seed 002: audit logs are retained for one year at least (compliance).</summary>
    public const int MinimumAuditDays = 365;

    public const int MaximumDays = 36_500;

    /// <summary>Throws <see cref="BulwarkSettingsException"/> naming the first window out of bounds.</summary>
    public static void Validate(BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var kind in RetentionKinds.All)
        {
            Check(kind, kind.Setting(), DefaultDays(options, kind));
        }

        foreach (var tenantWindow in options.RetentionOverrides.All)
        {
            Check(tenantWindow.Kind, tenantWindow.Setting, tenantWindow.Days);
        }
    }

    /// <summary>The node-wide window of <paramref name="kind"/>, in days.</summary>
    public static int DefaultDays(BulwarkOptions options, RetentionKind kind)
    {
        ArgumentNullException.ThrowIfNull(options);
        return kind switch
        {
            RetentionKind.Audit => options.RetentionAuditDays,
            RetentionKind.Jobs => options.RetentionJobsDays,
            RetentionKind.Events => options.RetentionEventsDays,
            RetentionKind.Manifests => options.RetentionManifestsDays,
            RetentionKind.ReplayBundles => options.RetentionReplayBundlesDays,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>
    /// What a sweep at <paramref name="now"/> removes of <paramref name="kind"/>: the node-wide
    /// cutoff, and one of its own for each of <paramref name="tenants"/> with its own window.
    /// </summary>
    public static TenantCutoffs CutoffsAt(BulwarkOptions options, RetentionKind kind, IEnumerable<Tenant> tenants, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tenants);
        var byTenant = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var tenant in tenants)
        {
            if (options.RetentionOverrides.DaysFor(kind, tenant.Name) is { } days)
            {
                byTenant[tenant.Id] = now - TimeSpan.FromDays(days);
            }
        }

        return new TenantCutoffs(now - TimeSpan.FromDays(DefaultDays(options, kind)), byTenant);
    }

    private static void Check(RetentionKind kind, string setting, int days)
    {
        if (kind == RetentionKind.Audit && days is < MinimumAuditDays or > MaximumDays)
        {
            throw new BulwarkSettingsException(
                $"{setting} must be between {MinimumAuditDays} (audit logs are kept a year at least) and {MaximumDays}.");
        }

        if (days is < 1 or > MaximumDays)
        {
            throw new BulwarkSettingsException($"{setting} must be between 1 and {MaximumDays}.");
        }
    }
}
