using Bulwark.Core.Flags;

namespace Bulwark.Storage.Tests.Conformance;

// FLAG-2: flag values in the store, node-wide (no tenant) and per tenant, shared by every node.
public abstract partial class StoreConformanceTests
{
    private IFlagStore Flags => (IFlagStore)Store;

    private StoredFlag Flag(string? tenantId, string name, bool on, string by = "operator") => new(tenantId, name, on, by, Now);

    [Fact] // FLAG-2: a flag never set has no entry; configuration alone decides it
    public async Task ReadFlags_is_empty_on_a_new_store()
    {
        Assert.Empty(await Flags.ReadFlagsAsync(Ct));
    }

    [Fact] // FLAG-2
    public async Task SetFlag_keeps_node_wide_and_tenant_values_apart_and_returns_the_value_it_replaced()
    {
        var acme = await NewTenantAsync("acme");
        var globex = await NewTenantAsync("globex");

        Assert.Null(await Flags.SetFlagAsync(Flag(null, "events", false), Ct));
        Assert.Null(await Flags.SetFlagAsync(Flag(acme.TenantId, "events", true, "key:k1"), Ct));
        Assert.Null(await Flags.SetFlagAsync(Flag(globex.TenantId, "events", false, "key:k2"), Ct));
        Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.False(await Flags.SetFlagAsync(Flag(null, "events", true), Ct));
        Assert.True(await Flags.SetFlagAsync(Flag(acme.TenantId, "events", false, "key:k3"), Ct));

        var stored = await Flags.ReadFlagsAsync(Ct);

        Assert.Equal(
            new[]
            {
                Flag(null, "events", true),
                Flag(acme.TenantId, "events", false, "key:k3"),
                Flag(globex.TenantId, "events", false, "key:k2") with { ChangedAt = Now - TimeSpan.FromSeconds(5) },
            }.OrderBy(f => f.TenantId ?? "", StringComparer.Ordinal),
            stored.OrderBy(f => f.TenantId ?? "", StringComparer.Ordinal));
    }

    [Fact] // FLAG-2: a value written through one node is read by every other node on the same store
    public async Task SetFlag_through_one_store_instance_is_read_by_another()
    {
        var second = (IFlagStore)await OpenAnotherAsync();

        await Flags.SetFlagAsync(Flag(null, "action_jobs", false), Ct);

        Assert.Equal([Flag(null, "action_jobs", false)], await second.ReadFlagsAsync(Ct));
    }

    [Fact] // TEN-4: a tenant's own flag values go with it; the node-wide ones stay
    public async Task PurgeTenant_removes_the_tenants_flag_values_only()
    {
        var acme = await NewTenantAsync("acme");
        var globex = await NewTenantAsync("globex");
        await Flags.SetFlagAsync(Flag(null, "events", false), Ct);
        await Flags.SetFlagAsync(Flag(acme.TenantId, "events", false), Ct);
        await Flags.SetFlagAsync(Flag(globex.TenantId, "triggers", false), Ct);

        await Store.PurgeTenantAsync("acme", PurgeRecord(), Ct);

        Assert.Equal(
            [(null, "events"), (globex.TenantId, "triggers")],
            (await Flags.ReadFlagsAsync(Ct)).Select(f => (f.TenantId, f.Name)).OrderBy(f => f.TenantId ?? "", StringComparer.Ordinal));
    }
}
