using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Tests.Tenancy;

// NET-2: identifiers match ^[a-zA-Z0-9_.:-]{1,100}$; resource paths cannot traverse.
public sealed class IdentifiersTests
{
    [Theory]
    [InlineData("ops.scan")]
    [InlineData("a")]
    [InlineData("default")]
    [InlineData("A-b_c.d:e")]
    [InlineData("0123456789")]
    public void IsValid_accepts_a_value_when_it_matches_the_rule(string value)
    {
        Assert.True(Identifiers.IsValid(value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("é")]
    [InlineData("a*")]
    [InlineData("a\u0000")]
    [InlineData("demo\n")] // "$" would match before a final newline; the rule must not
    public void IsValid_refuses_a_value_when_it_breaks_the_rule(string? value)
    {
        Assert.False(Identifiers.IsValid(value));
    }

    [Fact]
    public void IsValid_checks_the_length_when_at_and_over_100()
    {
        Assert.True(Identifiers.IsValid(new string('a', 100)));
        Assert.False(Identifiers.IsValid(new string('a', 101)));
    }

    [Fact]
    public void Require_returns_the_value_or_throws_naming_what_when_checked()
    {
        Assert.Equal("ok", Identifiers.Require("ok", "template key"));
        var e = Assert.Throws<InvalidPayloadException>(() => Identifiers.Require("not ok", "template key"));
        Assert.Contains("template key", e.Message, StringComparison.Ordinal);
        Assert.Equal("invalid_payload", e.Code);
    }
}
