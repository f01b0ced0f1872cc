using Bulwark.Core.Egress;

namespace Bulwark.Core.Tests.Egress;

/// <summary>
/// NET-1: the guard's decision alone, on a resolver the test controls; no connection is made and
/// no real DNS is asked. "open" allows every host (so the deny ranges are what decide), "strict"
/// allows api.example.com and *.example.org only.
/// </summary>
public sealed class EgressGuardTests
{
    private static readonly Dictionary<string, string[]> Dns = new()
    {
        ["api.example.com"] = ["93.184.216.34"],
        ["example.org"] = ["93.184.216.35"],
        ["a.b.example.org"] = ["93.184.216.36"],
        ["evil-example.org"] = ["93.184.216.37"],
        ["xn--bcher-kva.example.org"] = ["93.184.216.38"],
        ["v6.example.org"] = ["2606:4700::1111"],
        ["internal.example.org"] = ["192.168.1.10"],
        ["meta.example.org"] = ["169.254.169.254"],
        ["ula.example.org"] = ["fd00::1"],
        ["mapped.example.org"] = ["::ffff:10.0.0.1"],
        // Rebinding-shaped answers: one good address and one bad; the guard must not pick the good one.
        ["rebind.example.org"] = ["93.184.216.34", "10.0.0.5"],
        ["rebind6.example.org"] = ["2606:4700::1111", "::1"],
        ["localhost"] = ["127.0.0.1"],
    };

    private static readonly EgressAllowList Open = EgressAllowList.Parse("*");
    private static readonly EgressAllowList Strict = EgressAllowList.Parse("api.example.com, *.example.org");

    public static TheoryData<string, string, string?> Cases() => new()
    {
        // allowed
        { "https://api.example.com/v1/hooks?x=1", "strict", null },
        { "HTTP://API.EXAMPLE.COM/", "strict", null },                   // uppercase scheme and host
        { "http://api.example.com./", "strict", null },                  // trailing dot is the same host
        { "https://a.b.example.org/", "strict", null },                  // wildcard, any depth
        { "https://bücher.example.org/", "strict", null },               // IDN compared as punycode
        { "https://v6.example.org/", "strict", null },
        { "http://93.184.216.34/", "open", null },
        { "http://[2606:4700::1111]/", "open", null },
        { "http://[64:ff9b::5db8:d822]/", "open", null },               // NAT64 of a public address
        { "http://[2002:5db8:d822::1]/", "open", null },                 // 6to4 of a public address
        // allow-list
        { "https://example.org/", "strict", "not_allowed" },            // *.example.org is not example.org
        { "https://evil-example.org/", "strict", "not_allowed" },       // nor a name that merely ends alike
        { "https://api.example.com.evil.net/", "strict", "not_allowed" },
        { "https://other.example.com/", "strict", "not_allowed" },
        { "http://93.184.216.34/", "strict", "not_allowed" },
        // schemes, ports, user info, malformed
        { "file:///etc/passwd", "open", "scheme" },
        { "gopher://api.example.com/", "open", "scheme" },
        { "ftp://api.example.com/", "open", "scheme" },
        { "https://api.example.com:8443/", "open", "port" },
        { "http://api.example.com:22/", "open", "port" },
        { "https://user:pass@api.example.com/", "open", "userinfo" },
        { "https://user@api.example.com/", "open", "userinfo" },
        { "not a url", "open", "malformed" },
        // loopback in every spelling
        { "http://127.0.0.1/", "open", "loopback" },
        { "http://127.1/", "open", "loopback" },
        { "http://2130706433/", "open", "loopback" },
        { "http://0x7f.1/", "open", "loopback" },
        { "http://0x7f000001/", "open", "loopback" },
        { "http://0177.0.0.1/", "open", "loopback" },
        { "http://[::1]/", "open", "loopback" },
        { "http://[::ffff:127.0.0.1]/", "open", "loopback" },
        { "http://[::127.0.0.1]/", "open", "loopback" },
        { "http://[::ffff:0:7f00:1]/", "open", "loopback" },             // SIIT-translated 127.0.0.1
        { "http://[::ffff:7f00:1]/", "open", "loopback" },               // mapped, written in hex
        { "http://[64:ff9b::7f00:1]/", "open", "loopback" },            // NAT64 of 127.0.0.1
        { "http://[2002:7f00:1::]/", "open", "loopback" },               // 6to4 of 127.0.0.1
        { "http://localhost/", "open", "internal_name" },
        { "http://app.localhost/", "open", "internal_name" },
        // unspecified, private, link-local, CGNAT, unique-local, multicast, broadcast, reserved, benchmark, documentation
        { "http://0.0.0.0/", "open", "this_network" },
        { "http://0/", "open", "this_network" },
        { "http://[::]/", "open", "unspecified" },
        { "http://10.1.2.3/", "open", "private" },
        { "http://172.16.0.1/", "open", "private" },
        { "http://172.31.255.255/", "open", "private" },
        { "http://192.168.0.1/", "open", "private" },
        { "http://0xc0.0xa8.1.1/", "open", "private" },
        { "http://169.254.1.1/", "open", "link_local" },
        { "http://[fe80::1]/", "open", "link_local" },
        { "http://100.64.0.1/", "open", "cgnat" },
        { "http://[fc00::1]/", "open", "unique_local" },
        { "http://[fd12:3456::1]/", "open", "unique_local" },
        { "http://224.0.0.1/", "open", "multicast" },
        { "http://[ff02::1]/", "open", "multicast" },
        { "http://255.255.255.255/", "open", "broadcast" },
        { "http://240.0.0.1/", "open", "reserved" },
        { "http://198.18.0.1/", "open", "benchmark" },
        { "http://192.0.2.1/", "open", "documentation" },
        { "http://198.51.100.7/", "open", "documentation" },
        { "http://203.0.113.9/", "open", "documentation" },
        { "http://[2001:db8::1]/", "open", "documentation" },
        { "http://[::ffff:10.0.0.1]/", "open", "private" },
        { "http://[64:ff9b::a00:1]/", "open", "private" },              // NAT64 of 10.0.0.1
        { "http://[2002:c0a8:101::]/", "open", "private" },              // 6to4 of 192.168.1.1
        // cloud metadata, by address and by name
        { "http://169.254.169.254/latest/meta-data/", "open", "cloud_metadata" },
        { "http://2852039166/", "open", "cloud_metadata" },              // 169.254.169.254 as one number
        { "http://[::ffff:169.254.169.254]/", "open", "cloud_metadata" },
        { "http://[fd00:ec2::254]/", "open", "cloud_metadata" },
        { "http://100.100.100.200/", "open", "cloud_metadata" },
        { "http://metadata.google.internal/computeMetadata/v1/", "open", "internal_name" },
        { "http://METADATA.GOOGLE.INTERNAL./", "open", "internal_name" },
        { "http://metadata/", "open", "internal_name" },
        { "http://instance-data/", "open", "internal_name" },
        // names that resolve inside
        { "https://internal.example.org/", "strict", "private" },
        { "https://meta.example.org/", "strict", "cloud_metadata" },
        { "https://ula.example.org/", "strict", "unique_local" },
        { "https://mapped.example.org/", "strict", "private" },
        { "https://rebind.example.org/", "strict", "private" },
        { "https://rebind6.example.org/", "strict", "loopback" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Guard_decides_from_scheme_port_userinfo_allow_list_and_every_resolved_address(string url, string list, string? reason)
    {
        var guard = new EgressGuard(new EgressRules(), new FakeResolver(Dns));

        var decision = await guard.CheckAsync(url, list == "open" ? Open : Strict, CancellationToken.None);

        Assert.Equal(reason, decision.Reason);
        Assert.Equal(reason is null, decision.Allowed);
        if (reason is null)
        {
            Assert.NotEmpty(decision.Addresses);
        }
        else
        {
            Assert.Equal(EgressDecision.DeniedCode, decision.Code);
            Assert.Empty(decision.Addresses);
        }
    }

    [Fact] // NET-1: a refused literal or internal name is decided without asking DNS at all
    public async Task Literals_and_internal_names_are_refused_without_a_lookup()
    {
        var resolver = new FakeResolver(Dns);
        var guard = new EgressGuard(new EgressRules(), resolver);

        foreach (var url in new[] { "http://127.1/", "http://[::1]/", "http://metadata.google.internal/", "http://localhost/", "http://10.0.0.1/" })
        {
            Assert.False((await guard.CheckAsync(url, Open, CancellationToken.None)).Allowed);
        }

        Assert.Empty(resolver.Asked);
    }

    [Fact] // NET-1: the allow-list is asked before DNS, so an unlisted name is not even looked up
    public async Task Host_off_the_allow_list_is_not_resolved()
    {
        var resolver = new FakeResolver(Dns);
        var decision = await new EgressGuard(new EgressRules(), resolver).CheckAsync("https://evil-example.org/", Strict, CancellationToken.None);

        Assert.Equal("not_allowed", decision.Reason);
        Assert.Empty(resolver.Asked);
    }

    [Fact] // NET-1: a tenant without an allow-list reaches nothing
    public async Task Empty_allow_list_allows_no_host()
    {
        var decision = await new EgressGuard(new EgressRules(), new FakeResolver(Dns))
            .CheckAsync("https://api.example.com/", EgressAllowList.None, CancellationToken.None);

        Assert.Equal("not_allowed", decision.Reason);
    }

    [Fact] // NET-1: the allow-list never overrides the deny ranges, even when it names the address
    public async Task Allow_list_naming_a_denied_address_or_name_does_not_open_it()
    {
        var list = EgressAllowList.Parse("127.0.0.1,10.0.0.1,metadata.google.internal,internal.example.org");
        var guard = new EgressGuard(new EgressRules(), new FakeResolver(Dns));

        Assert.Equal("loopback", (await guard.CheckAsync("http://127.0.0.1/", list, CancellationToken.None)).Reason);
        Assert.Equal("private", (await guard.CheckAsync("http://10.0.0.1/", list, CancellationToken.None)).Reason);
        Assert.Equal("internal_name", (await guard.CheckAsync("http://metadata.google.internal/", list, CancellationToken.None)).Reason);
        Assert.Equal("private", (await guard.CheckAsync("http://internal.example.org/", list, CancellationToken.None)).Reason);
    }

    [Fact] // NET-1: the refusal names the host, never what it resolved to
    public async Task Denied_message_names_the_host_but_not_the_resolved_address()
    {
        var decision = await new EgressGuard(new EgressRules(), new FakeResolver(Dns))
            .CheckAsync("https://rebind.example.org/x", Strict, CancellationToken.None);

        Assert.Contains("rebind.example.org", decision.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.5", decision.Message, StringComparison.Ordinal);
        Assert.Equal("https://rebind.example.org:443/x", decision.Target);
    }

    [Fact] // NET-1: the audit target drops the query string and the user info
    public async Task Target_has_no_query_and_no_user_info()
    {
        var guard = new EgressGuard(new EgressRules(), new FakeResolver(Dns));

        Assert.Equal("https://api.example.com:443/v1/hooks", (await guard.CheckAsync("https://api.example.com/v1/hooks?token=abc", Strict, CancellationToken.None)).Target);
        Assert.Equal("https://api.example.com:443/", (await guard.CheckAsync("https://u:p@api.example.com/", Strict, CancellationToken.None)).Target);
    }

    [Fact] // NET-1: configured ports replace 80 and 443
    public async Task Allowed_ports_are_the_configured_ones_only()
    {
        var guard = new EgressGuard(new EgressRules { AllowedPorts = [8443] }, new FakeResolver(Dns));

        Assert.True((await guard.CheckAsync("https://api.example.com:8443/", Strict, CancellationToken.None)).Allowed);
        Assert.Equal("port", (await guard.CheckAsync("https://api.example.com/", Strict, CancellationToken.None)).Reason);
    }

    [Fact] // NET-1: the development switch opens loopback and nothing else
    public async Task Allow_loopback_opens_loopback_only()
    {
        var guard = new EgressGuard(new EgressRules { AllowLoopback = true }, new FakeResolver(Dns));

        Assert.True((await guard.CheckAsync("http://127.0.0.1/", Open, CancellationToken.None)).Allowed);
        Assert.True((await guard.CheckAsync("http://[::1]/", Open, CancellationToken.None)).Allowed);
        Assert.True((await guard.CheckAsync("http://localhost/", Open, CancellationToken.None)).Allowed);
        Assert.Equal("this_network", (await guard.CheckAsync("http://0.0.0.0/", Open, CancellationToken.None)).Reason);
        Assert.Equal("private", (await guard.CheckAsync("http://10.0.0.1/", Open, CancellationToken.None)).Reason);
        Assert.Equal("cloud_metadata", (await guard.CheckAsync("http://169.254.169.254/", Open, CancellationToken.None)).Reason);
        Assert.Equal("internal_name", (await guard.CheckAsync("http://metadata.google.internal/", Open, CancellationToken.None)).Reason);
    }

    [Fact] // NET-1: a name that does not resolve is a failure, not an allowance
    public async Task Unresolvable_name_fails()
    {
        var decision = await new EgressGuard(new EgressRules(), new FakeResolver(Dns))
            .CheckAsync("https://nowhere.example.org/", Strict, CancellationToken.None);

        Assert.False(decision.Allowed);
        Assert.Equal(EgressDecision.FailedCode, decision.Code);
    }
}
