using Bulwark.Core.Egress;

namespace Bulwark.Core.Tests.Egress;

// NET-1: per-tenant allow-lists from BULWARK_EGRESS_ALLOW_<TENANT>; a tenant nobody listed reaches nothing.
public sealed class EgressAllowListsTests
{
    [Fact]
    public void Parse_reads_one_list_per_tenant_variable_and_skips_the_loopback_switch()
    {
        var lists = EgressAllowLists.Parse(new Dictionary<string, string?>
        {
            ["BULWARK_EGRESS_ALLOW_ACME"] = "api.example.com, *.hooks.example.org",
            ["BULWARK_EGRESS_ALLOW_ACME_EU"] = "eu.example.com",
            ["BULWARK_EGRESS_ALLOW_LOOPBACK"] = "1",
            ["BULWARK_EGRESS_ALLOWED_PORTS"] = "443",
        });

        Assert.True(lists.For("acme").Allows("api.example.com"));
        Assert.True(lists.For("acme").Allows("x.hooks.example.org"));
        Assert.False(lists.For("acme").Allows("eu.example.com"));
        Assert.True(lists.For("acme-eu").Allows("eu.example.com"));
        Assert.False(lists.For("other").Allows("api.example.com"));
        Assert.Equal(["ACME", "ACME_EU"], lists.Tenants.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("api.*.com")]
    [InlineData("**.example.com")]
    [InlineData("exa mple..com")]
    [InlineData("*.")]
    public void Parse_refuses_a_malformed_pattern_naming_the_variable(string pattern)
    {
        var e = Assert.Throws<FormatException>(() =>
            EgressAllowLists.Parse(new Dictionary<string, string?> { ["BULWARK_EGRESS_ALLOW_ACME"] = pattern }));

        Assert.StartsWith("BULWARK_EGRESS_ALLOW_ACME", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.example.com", "a.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "evil-example.com", false)]
    [InlineData("*.example.com", "example.com.evil.net", false)]
    [InlineData("API.Example.COM.", "api.example.com", true)]
    [InlineData("bücher.example", "xn--bcher-kva.example", true)]
    [InlineData("*", "anything.example", true)]
    public void Pattern_matches_canonical_hosts(string pattern, string host, bool matches) =>
        Assert.Equal(matches, HostPattern.Parse(pattern).Matches(host));
}
