using Bulwark.Server.Tests.Flags;

namespace Bulwark.Server.Tests.MultiNode;

/// <summary>FLAG-2 across nodes: a flag turned off in the shared PostgreSQL store holds on every node within seconds, without a restart.</summary>
public sealed class FlagsMultiNodeTests
{
    [Fact] // FLAG-2: `bulwark flags set events off` against the shared store is seen by both nodes
    public async Task A_flag_turned_off_by_the_operator_is_off_on_every_node_without_a_restart()
    {
        await using var cluster = await NodeCluster.CreateAsync();
        await cluster.OperatorOkAsync("tenants", "create", "acme");
        var (_, key) = await cluster.CreateKeyAsync("acme", "flags:read");
        var nodes = await Task.WhenAll(
            cluster.StartNodeAsync("a", e => e["BULWARK_EVENTS_ENABLED"] = "1", migrates: true),
            cluster.StartNodeAsync("b", e => e["BULWARK_EVENTS_ENABLED"] = "1"));
        foreach (var node in nodes)
        {
            Assert.True((await FlagProbe.ListAsync(node.Http, key))["events"].GetProperty("enabled").GetBoolean(), node.Name);
        }

        var run = await cluster.OperatorOkAsync("flags", "set", "events", "off");

        Assert.Contains("Set events off node-wide", run.Stdout, StringComparison.Ordinal);
        foreach (var node in nodes)
        {
            var events = await FlagProbe.WaitForEnabledAsync(node.Http, key, "events", false);
            Assert.True(events.GetProperty("configured").GetBoolean(), node.Name);
            Assert.False(events.GetProperty("node").GetBoolean(), node.Name);
        }
    }
}
