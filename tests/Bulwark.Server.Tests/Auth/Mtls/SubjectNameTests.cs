using System.Net;
using Bulwark.Server.Auth.Mtls;

namespace Bulwark.Server.Tests.Auth.Mtls;

/// <summary>The subject DN an ingress forwards (AUTH-4): both spellings, escapes, and everything ambiguous refused.</summary>
public sealed class SubjectNameTests
{
    [Theory]
    [InlineData("CN=alice,O=acme", "acme", "alice")]
    [InlineData("O=acme, CN=alice", "acme", "alice")]
    [InlineData("/O=acme/CN=alice", "acme", "alice")]
    [InlineData("/C=DE/O=acme/OU=ops/CN=alice", "acme", "alice")]
    [InlineData(@"CN=Smith\, John,O=acme", "acme", "Smith, John")]
    [InlineData(@"CN=x\,O=victim,O=acme", "acme", "x,O=victim")]
    [InlineData(@"CN=caf\C3\A9,O=acme", "acme", "café")]
    [InlineData(@"/O=a\/b/CN=alice", "a/b", "alice")]
    [InlineData("cn=alice,o=acme", "acme", "alice")]
    [InlineData("2.5.4.3=alice,2.5.4.10=acme", "acme", "alice")]
    public void Subject_parses_tenant_and_subject_when_the_dn_is_well_formed(string dn, string tenant, string subject)
    {
        Assert.True(SubjectName.TryParse(dn, out var parsed));
        Assert.Equal((tenant, subject), (parsed!.Organization, parsed.CommonName));
    }

    [Theory]
    [InlineData("")]
    [InlineData("CN=alice")]
    [InlineData("O=acme")]
    [InlineData("CN=alice,O=acme,O=victim")]
    [InlineData("CN=alice,CN=bob,O=acme")]
    [InlineData("CN=,O=acme")]
    [InlineData("CN=alice,O=acme\\")]
    [InlineData("CN=alice,garbage,O=acme")]
    [InlineData("CN=al\u0000ice,O=acme")]
    [InlineData(@"CN=alice\0A,O=acme")]
    [InlineData("C N=alice,O=acme")]
    [InlineData("/O=acme/CN=alice/O=victim")]
    public void Subject_is_refused_when_the_dn_is_malformed_or_ambiguous(string dn) =>
        Assert.False(SubjectName.TryParse(dn, out _));

    [Fact]
    public void Subject_is_refused_when_the_dn_is_oversized() =>
        Assert.False(SubjectName.TryParse("CN=" + new string('a', SubjectName.MaxLength) + ",O=acme", out _));

    [Theory]
    [InlineData("127.0.0.1/32", "127.0.0.1", true)]
    [InlineData("127.0.0.1/32", "::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.0/8, fd00::/8", "10.9.8.7", true)]
    [InlineData("10.0.0.0/8, fd00::/8", "fd00::1", true)]
    [InlineData("10.0.0.0/8, fd00::/8", "127.0.0.1", false)]
    [InlineData("10.0.0.5", "10.0.0.5", true)]
    [InlineData("10.0.0.5", "10.0.0.6", false)]
    [InlineData("", "127.0.0.1", false)]
    public void Trusted_proxies_contain_the_peer_when_inside_a_configured_range(string cidrs, string peer, bool trusted) =>
        Assert.Equal(trusted, TrustedProxies.Parse(cidrs).Contains(IPAddress.Parse(peer)));

    [Fact]
    public void Trusted_proxies_refuse_to_parse_when_an_entry_is_not_a_range() =>
        Assert.Throws<FormatException>(() => TrustedProxies.Parse("10.0.0.0/8, proxy.example"));
}
