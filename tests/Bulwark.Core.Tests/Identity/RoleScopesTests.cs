using Bulwark.Core.Identity;

namespace Bulwark.Core.Tests.Identity;

// AUTHZ-2: roles map to scopes by configuration; defaults admin = *, writer, reader.
public sealed class RoleScopesTests
{
    [Fact]
    public void Defaults_grant_admin_everything_and_reader_only_jobs_read()
    {
        var roles = RoleScopes.Parse(new Dictionary<string, string?>());

        Assert.Equal(["*"], roles.For("admin"));
        Assert.Equal(["jobs:read", "jobs:write", "events:write"], roles.For("writer"));
        Assert.Equal(["jobs:read"], roles.For("reader"));
    }

    [Fact]
    public void Parse_overrides_and_adds_roles_when_variables_are_set()
    {
        var roles = RoleScopes.Parse(new Dictionary<string, string?>
        {
            ["BULWARK_ROLE_READER_SCOPES"] = "jobs:read,audit:read",
            ["BULWARK_ROLE_ANALYST_SCOPES"] = "jobs:read  ops:*",
            ["BULWARK_OTHER"] = "x",
        });

        Assert.Equal(["jobs:read", "audit:read"], roles.For("reader"));
        Assert.Equal(["jobs:read", "ops:*"], roles.For("analyst"));
        Assert.Equal(["*"], roles.For("admin"));
    }

    [Fact]
    public void Parse_throws_naming_the_variable_when_a_scope_is_malformed()
    {
        var error = Assert.Throws<FormatException>(() => RoleScopes.Parse(new Dictionary<string, string?>
        {
            ["BULWARK_ROLE_X_SCOPES"] = "jobs:read not a scope!",
        }));

        Assert.Contains("BULWARK_ROLE_X_SCOPES", error.Message);
    }

    [Fact]
    public void Effective_is_explicit_scopes_union_role_scopes_when_unknown_roles_give_nothing()
    {
        var effective = RoleScopes.Defaults.Effective(["ops:read", "jobs:read"], ["reader", "superuser", "writer"]);

        Assert.Equal(["ops:read", "jobs:read", "jobs:write", "events:write"], effective);
    }
}
