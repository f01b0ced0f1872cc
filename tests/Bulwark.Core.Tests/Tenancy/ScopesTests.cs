using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Tests.Tenancy;

// AUTHZ-1 (scopes per endpoint and per template), AUTHZ-2 (admin = *).
public sealed class ScopesTests
{
    [Theory]
    [InlineData("jobs:read", "jobs:read", true)]
    [InlineData("*", "jobs:write", true)]
    [InlineData("*", "ops:write", true)]
    [InlineData("ops:*", "ops:read", true)]
    [InlineData("ops:*", "ops:write", true)]
    [InlineData("ops:*", "opsx:read", false)]
    [InlineData("ops:*", "ops", false)]
    [InlineData("jobs:read", "jobs:readx", false)]
    [InlineData("jobs:read", "jobs:write", false)]
    [InlineData("jobs:readx", "jobs:read", false)]
    [InlineData("jobs:*", "ops:read", false)]
    [InlineData("JOBS:READ", "jobs:read", false)]
    public void Covers_decides_by_exact_match_or_wildcard_when_given_one_granted_scope(string granted, string required, bool covered)
    {
        Assert.Equal(covered, Scopes.Covers([granted], required));
    }

    [Fact]
    public void Covers_is_false_when_nothing_is_granted()
    {
        Assert.False(Scopes.Covers([], "jobs:read"));
    }

    [Fact]
    public void Covers_looks_at_every_granted_scope_when_given_several()
    {
        Assert.True(Scopes.Covers(["jobs:read", "ops:*"], "ops:apply"));
        Assert.False(Scopes.Covers(["jobs:read", "events:write"], "jobs:write"));
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("jobs:read", true)]
    [InlineData("ops:*", true)]
    [InlineData("demo.v2:run-fast", true)]
    [InlineData("ops", false)]
    [InlineData("ops:", false)]
    [InlineData(":read", false)]
    [InlineData("ops:read:x", false)]
    [InlineData("ops read", false)]
    [InlineData("*:read", false)]
    [InlineData("", false)]
    [InlineData("ops:read\n", false)]
    public void IsWellFormed_accepts_only_family_colon_name_or_star(string scope, bool wellFormed)
    {
        Assert.Equal(wellFormed, Scopes.IsWellFormed(scope));
    }

    [Fact]
    public void IsWellFormed_refuses_a_scope_when_longer_than_100_characters()
    {
        Assert.False(Scopes.IsWellFormed("a:" + new string('b', 99)));
        Assert.True(Scopes.IsWellFormed("a:" + new string('b', 98)));
    }
}
