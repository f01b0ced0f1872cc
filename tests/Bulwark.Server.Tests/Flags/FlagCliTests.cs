using Bulwark.Core.Flags;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;
using Bulwark.Server.Tests.Cli;

namespace Bulwark.Server.Tests.Flags;

/// <summary><c>bulwark flags</c>, <c>flags set</c> and <c>flags off-all</c> (FLAG-1, FLAG-2, FLAG-4, AUD-1, AUD-4), straight against the store.</summary>
public sealed class FlagCliTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact] // FLAG-1: configured (this shell), store and effective value of every flag, and a footer saying where CONFIGURED comes from
    public async Task Flags_lists_every_flag_with_configured_store_and_effective_values()
    {
        _cli.Environment["BULWARK_EVENTS_ENABLED"] = "1";
        await OkAsync("flags", "set", "events", "off");

        var run = await OkAsync("flags");

        Assert.Equal(["NAME", "CONFIGURED", "STORE", "EFFECTIVE", "SETTING"], Cells(run.StdoutLines[0]));
        Assert.Equal(["events", "on", "off", "off", "BULWARK_EVENTS_ENABLED"], Row(run, "events"));
        Assert.Equal(["triggers", "off", "-", "off", "BULWARK_TRIGGERS_ENABLED"], Row(run, "triggers"));
        Assert.Equal(["security_validation", "on", "-", "on", "BULWARK_SECURITY_VALIDATION_ENABLED"], Row(run, "security_validation"));
        Assert.Equal(FeatureFlags.All.Count, run.StdoutLines.Count(l => FeatureFlags.Find(Cells(l)[0]) is not null));
        Assert.StartsWith("CONFIGURED is this shell's environment", run.StdoutLines[^1], StringComparison.Ordinal);
    }

    [Fact] // FLAG-2, AUD-1, AUD-4: a node-wide change is audited on the system chain and printed as a security line
    public async Task Set_node_wide_writes_the_store_an_audit_entry_and_a_security_line()
    {
        var run = await OkAsync("flags", "set", "action-jobs", "off");

        Assert.Equal("Set action_jobs off node-wide (was not set).", run.StdoutLines[0]);
        Assert.Contains("\"event\":\"flag_set\"", Assert.Single(run.StderrLines), StringComparison.Ordinal);
        await using var store = await OpenStoreAsync();
        var stored = Assert.Single(await ((IFlagStore)store).ReadFlagsAsync(CancellationToken.None));
        Assert.Equal((null, "action_jobs", false, "operator"), (stored.TenantId, stored.Name, stored.On, stored.ChangedBy));
        var entry = Assert.Single(await FlagProbe.AuditAsync(store));
        Assert.Equal(("flag.set", "action_jobs", null, "operator"), (entry.Action, entry.Target, entry.TenantId, entry.Actor));
        Assert.Equal("node", FlagProbe.Detail(entry).GetProperty("scope").GetString());
    }

    [Fact] // FLAG-2: --tenant sets that tenant's own value, audited on its chain
    public async Task Set_for_a_tenant_writes_that_tenants_value_only()
    {
        await OkAsync("tenants", "create", "acme");

        var run = await OkAsync("flags", "set", "events", "off", "--tenant", "acme");

        Assert.Equal("Set events off for tenant acme (was not set).", run.StdoutLines[0]);
        await using var store = await OpenStoreAsync();
        var acme = (await store.FindTenantByNameAsync("acme", CancellationToken.None))!;
        var stored = Assert.Single(await ((IFlagStore)store).ReadFlagsAsync(CancellationToken.None));
        Assert.Equal((acme.Id, "events", false), (stored.TenantId, stored.Name, stored.On));
        var entry = Assert.Single(await FlagProbe.AuditAsync(store));
        Assert.Equal(acme.Id, entry.TenantId);
        Assert.Equal("tenant:acme", FlagProbe.Detail(entry).GetProperty("scope").GetString());
        // Node-wide nothing changed.
        Assert.Equal(["events", "off", "-", "off", "BULWARK_EVENTS_ENABLED"], Row(await OkAsync("flags"), "events"));
    }

    [Theory] // FLAG-2: an unknown flag, an unknown tenant or a value other than on/off: one sentence, exit 1, nothing written
    [InlineData("flags", "set", "bogus", "off")]
    [InlineData("flags", "set", "events", "maybe")]
    [InlineData("flags", "set", "events", "off", "--tenant", "ghost")]
    public async Task Bad_sets_are_refused_in_one_sentence_and_write_nothing(params string[] args)
    {
        var run = await _cli.OperatorAsync(args);

        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.Empty(run.Stdout);
        await using var store = await OpenStoreAsync();
        Assert.Empty(await ((IFlagStore)store).ReadFlagsAsync(CancellationToken.None));
        Assert.Empty(await FlagProbe.AuditAsync(store));
    }

    [Fact] // FLAG-4: off-all sets every flag to its safe value node-wide, prints and audits each change; a second run changes nothing
    public async Task Off_all_sets_every_safe_value_once_and_prints_what_changed()
    {
        await OkAsync("flags", "set", "events", "off");

        var first = await OkAsync("flags", "off-all");
        var second = await OkAsync("flags", "off-all");

        Assert.Contains("triggers: - -> off", first.StdoutLines);
        Assert.Contains("require_policy_tokens: - -> on", first.StdoutLines);
        Assert.DoesNotContain(first.StdoutLines, l => l.StartsWith("events:", StringComparison.Ordinal));
        Assert.Equal(FeatureFlags.All.Count - 1, first.StderrLines.Length);
        Assert.StartsWith("Nothing to change", Assert.Single(second.StdoutLines), StringComparison.Ordinal);
        await using var store = await OpenStoreAsync();
        var stored = await ((IFlagStore)store).ReadFlagsAsync(CancellationToken.None);
        Assert.All(FeatureFlags.All, f => Assert.Contains(stored, s => s.TenantId is null && s.Name == f.Name && s.On == f.SafeValue));
        var offAll = (await FlagProbe.AuditAsync(store)).Where(e => e.Action == "flag.off_all").ToList();
        Assert.Equal(FeatureFlags.All.Count - 1, offAll.Count);
        Assert.All(offAll, e => Assert.Null(e.TenantId));
    }

    private async Task<CliRun> OkAsync(params string[] args)
    {
        var run = await _cli.OperatorAsync(args);
        Assert.True(run.ExitCode == 0, $"bulwark {string.Join(' ', args)}: {run}");
        return run;
    }

    private Task<Core.Storage.IBulwarkStore> OpenStoreAsync() =>
        StoreFactory.OpenAsync(new BulwarkOptions { DataDir = _cli.DataDir }, CancellationToken.None);

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Row(CliRun run, string name) => Cells(run.StdoutLines.Single(l => Cells(l)[0] == name));
}
