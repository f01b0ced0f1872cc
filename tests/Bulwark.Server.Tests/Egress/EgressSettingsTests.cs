using Bulwark.Server.Hosting;

namespace Bulwark.Server.Tests.Egress;

// NET-1: the egress settings as an operator writes them, checked before the server starts.
public sealed class EgressSettingsTests
{
    [Fact]
    public void Defaults_are_ports_80_and_443_one_MiB_ten_seconds_no_loopback_and_no_allow_lists()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>());

        Assert.Equal("80,443", options.EgressAllowedPorts);
        Assert.Equal(1024 * 1024, options.EgressMaxResponseBytes);
        Assert.Equal(10, options.EgressTimeoutSeconds);
        Assert.False(options.EgressAllowLoopback);
        Assert.Empty(options.EgressAllowLists.Tenants);
        Assert.False(options.EgressAllowLists.For("acme").Allows("api.example.com"));
    }

    [Fact]
    public void Variables_set_ports_caps_and_each_tenants_allow_list()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_EGRESS_ALLOWED_PORTS"] = "443, 8443",
            ["BULWARK_EGRESS_MAX_RESPONSE_BYTES"] = "2048",
            ["BULWARK_EGRESS_TIMEOUT_SECONDS"] = "3",
            ["BULWARK_EGRESS_ALLOW_ACME"] = "api.example.com,*.hooks.example.org",
            ["BULWARK_EGRESS_ALLOW_LOOPBACK"] = "1",
        });

        Assert.Equal([443, 8443], Bulwark.Server.Egress.EgressSettings.Rules(options).AllowedPorts);
        Assert.Equal(2048, options.EgressMaxResponseBytes);
        Assert.Equal(3, options.EgressTimeoutSeconds);
        Assert.True(options.EgressAllowLoopback); // BULWARK_ENV defaults to dev
        Assert.True(options.EgressAllowLists.For("acme").Allows("a.hooks.example.org"));
        Assert.False(options.EgressAllowLists.For("loopback").Allows("api.example.com"));
    }

    [Theory]
    [InlineData("BULWARK_EGRESS_ALLOWED_PORTS", "80,http", "BULWARK_EGRESS_ALLOWED_PORTS")]
    [InlineData("BULWARK_EGRESS_ALLOWED_PORTS", "70000", "BULWARK_EGRESS_ALLOWED_PORTS")]
    [InlineData("BULWARK_EGRESS_ALLOWED_PORTS", " , ", "BULWARK_EGRESS_ALLOWED_PORTS")]
    [InlineData("BULWARK_EGRESS_MAX_RESPONSE_BYTES", "0", "BULWARK_EGRESS_MAX_RESPONSE_BYTES")]
    [InlineData("BULWARK_EGRESS_TIMEOUT_SECONDS", "0", "BULWARK_EGRESS_TIMEOUT_SECONDS")]
    [InlineData("BULWARK_EGRESS_ALLOW_ACME", "api.*.example.com", "BULWARK_EGRESS_ALLOW_ACME")]
    public void Bad_value_is_refused_naming_the_setting(string name, string value, string named)
    {
        var e = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?> { [name] = value }));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact] // NET-1: loopback egress reaches the node's own services, so it is a development switch only
    public void Allow_loopback_is_refused_outside_dev()
    {
        var e = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_EGRESS_ALLOW_LOOPBACK"] = "1",
            ["BULWARK_ENV"] = "prod",
        }));

        Assert.Contains("BULWARK_EGRESS_ALLOW_LOOPBACK", e.Message, StringComparison.Ordinal);
    }
}
