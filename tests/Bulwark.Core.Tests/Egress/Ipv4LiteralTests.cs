using Bulwark.Core.Egress;

namespace Bulwark.Core.Tests.Egress;

// NET-1: every IPv4 spelling inet_aton accepts is read as the address it names.
public sealed class Ipv4LiteralTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("127.1", "127.0.0.1")]
    [InlineData("127.0.1", "127.0.0.1")]
    [InlineData("2130706433", "127.0.0.1")]
    [InlineData("0x7f000001", "127.0.0.1")]
    [InlineData("0x7f.1", "127.0.0.1")]
    [InlineData("0177.0.0.1", "127.0.0.1")]
    [InlineData("0177.0.0.01", "127.0.0.1")]
    [InlineData("0", "0.0.0.0")]
    [InlineData("10.0x10.0", "10.16.0.0")]
    public void Parses_every_spelling(string host, string expected)
    {
        Assert.True(Ipv4Literal.TryParse(host, out var address));
        Assert.Equal(expected, address.ToString());
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("4294967296")]
    [InlineData("08.0.0.1")]
    [InlineData("0x")]
    [InlineData("1..2")]
    [InlineData("1.2.3.256")]
    [InlineData("1.16777216")]
    public void Refuses_what_is_not_an_address(string host) => Assert.False(Ipv4Literal.TryParse(host, out _));
}
