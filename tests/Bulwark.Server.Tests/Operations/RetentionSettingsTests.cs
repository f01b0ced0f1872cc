using Bulwark.Core.Retention;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;

namespace Bulwark.Server.Tests.Operations;

/// <summary>AUD-3: retention per data type and tenant, configurable, with SPEC's defaults.</summary>
public sealed class RetentionSettingsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

    private static BulwarkOptions Load(params (string Name, string Value)[] settings) =>
        BulwarkConfiguration.Load(settings.ToDictionary(s => s.Name, s => (string?)s.Value));

    [Fact] // AUD-3: events, jobs and manifests 90 days, audit log 1 year, replay bundles 30 days
    public void Defaults_are_the_windows_of_the_spec()
    {
        var options = Load();

        Assert.Equal(365, RetentionSettings.DefaultDays(options, RetentionKind.Audit));
        Assert.Equal(90, RetentionSettings.DefaultDays(options, RetentionKind.Jobs));
        Assert.Equal(90, RetentionSettings.DefaultDays(options, RetentionKind.Events));
        Assert.Equal(90, RetentionSettings.DefaultDays(options, RetentionKind.Manifests));
        Assert.Equal(30, RetentionSettings.DefaultDays(options, RetentionKind.ReplayBundles));
        Assert.Empty(options.RetentionOverrides.All);
    }

    [Fact] // AUD-3: a tenant's own window of one kind leaves its other kinds and the other tenants alone
    public void A_tenants_window_applies_to_that_tenant_and_kind_only()
    {
        var options = Load(("BULWARK_RETENTION_JOBS_DAYS_ACME_EU", "30"), ("BULWARK_RETENTION_AUDIT_DAYS_GLOBEX", "730"));

        Assert.Equal(30, options.RetentionOverrides.DaysFor(RetentionKind.Jobs, "acme-eu"));
        Assert.Null(options.RetentionOverrides.DaysFor(RetentionKind.Events, "acme-eu"));
        Assert.Null(options.RetentionOverrides.DaysFor(RetentionKind.Jobs, "acme"));
        Assert.Equal(730, options.RetentionOverrides.DaysFor(RetentionKind.Audit, "globex"));
        Assert.Equal(90, options.RetentionJobsDays);
    }

    [Fact] // AUD-3: the sweep's cutoffs, by tenant id, for the tenants that have their own window
    public void Cutoffs_hold_the_default_and_one_per_tenant_with_its_own_window()
    {
        var options = Load(("BULWARK_RETENTION_EVENTS_DAYS_ACME", "7"));
        Tenant[] tenants = [new("ten_a", "acme", Now), new("ten_g", "globex", Now)];

        var cutoffs = RetentionSettings.CutoffsAt(options, RetentionKind.Events, tenants, Now);

        Assert.Equal(Now.AddDays(-90), cutoffs.Default);
        Assert.Equal(Now.AddDays(-7), cutoffs.For("ten_a"));
        Assert.Equal(Now.AddDays(-90), cutoffs.For("ten_g"));
        Assert.Equal(Now.AddDays(-90), cutoffs.For(null));
        Assert.Equal(["ten_a"], cutoffs.ByTenant.Keys);
    }

    [Theory] // AUD-3 with seed 002: audit logs are kept a year at least, for every tenant too
    [InlineData("BULWARK_RETENTION_AUDIT_DAYS", "364")]
    [InlineData("BULWARK_RETENTION_JOBS_DAYS", "0")]
    [InlineData("BULWARK_RETENTION_MANIFESTS_DAYS", "36501")]
    [InlineData("BULWARK_RETENTION_REPLAY_BUNDLES_DAYS", "-1")]
    [InlineData("BULWARK_RETENTION_AUDIT_DAYS_ACME", "30")]
    [InlineData("BULWARK_RETENTION_EVENTS_DAYS_ACME", "0")]
    [InlineData("BULWARK_RETENTION_REPLAY_BUNDLES_DAYS_ACME", "36501")]
    [InlineData("BULWARK_RETENTION_JOBS_DAYS_ACME", "thirty")]
    public void A_window_out_of_range_is_refused_naming_its_setting(string setting, string days)
    {
        var refused = Assert.Throws<BulwarkSettingsException>(() => Load((setting, days)));

        Assert.Contains(setting, refused.Message, StringComparison.Ordinal);
    }
}
