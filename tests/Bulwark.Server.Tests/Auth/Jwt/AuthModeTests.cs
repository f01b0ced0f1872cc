using System.Net;
using Bulwark.Server.Hosting;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Auth.Jwt;

/// <summary>AUTH-1 modes and AUTHZ-4 startup safety for authentication settings.</summary>
public sealed class AuthModeTests
{
    [Fact] // AUTH-1: none = the default tenant's admin, on loopback, said loudly at start
    public async Task Every_request_is_default_admin_when_auth_mode_is_none_on_loopback()
    {
        await using var server = await ServerFixture.StartAsync(o => o.AuthMode = "none");

        var me = await JwtServer.WhoAmIAsync(server, null!);

        Assert.Equal("default", me.GetProperty("tenant").GetString());
        Assert.Equal("none", me.GetProperty("auth_method").GetString());
        Assert.Equal(["*"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains("BULWARK_AUTH_MODE=none", server.Console.ToString());
    }

    [Theory] // AUTHZ-4: none on a public address refuses to start, naming the setting
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://127.0.0.1:8080;http://10.1.2.3:8080")]
    public void Configuration_refuses_none_when_an_address_is_not_loopback(string urls)
    {
        var error = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Validate(new BulwarkOptions { AuthMode = "none", Urls = urls }));

        Assert.Contains("BULWARK_AUTH_MODE", error.Message);
    }

    [Fact] // AUTHZ-4: the server itself refuses, not only the configuration loader
    public async Task Server_refuses_to_start_when_none_is_asked_for_on_a_public_address()
    {
        var error = await Assert.ThrowsAsync<BulwarkSettingsException>(() => ServerFixture.StartAsync(o =>
        {
            o.AuthMode = "none";
            o.Urls = "http://0.0.0.0:0";
        }));

        Assert.Contains("BULWARK_AUTH_MODE", error.Message);
    }

    [Theory] // AUTHZ-4, AUTH-3: unsafe or incomplete JWT settings name the setting
    [InlineData("jwt", "short-secret", null, null, "BULWARK_JWT_SECRET")]
    [InlineData("api_key", "0123456789012345678901234567890", null, null, "BULWARK_JWT_SECRET")]
    [InlineData("jwt", null, null, null, "BULWARK_JWT_SECRET or BULWARK_JWT_JWKS_URL")]
    [InlineData("jwt", "0123456789012345678901234567890123", null, "HS256,none", "BULWARK_JWT_ALLOWED_ALGS")]
    [InlineData("jwt", "0123456789012345678901234567890123", null, "RS256", "BULWARK_JWT_ALLOWED_ALGS")]
    [InlineData("jwt", null, "file:///etc/jwks.json", null, "BULWARK_JWT_JWKS_URL")]
    [InlineData("jwt,none", null, null, null, "BULWARK_AUTH_MODE")]
    [InlineData("apikey", null, null, null, "BULWARK_AUTH_MODE")]
    public void Configuration_refuses_unsafe_jwt_settings_naming_the_setting(string mode, string? secret, string? jwks, string? algs, string named)
    {
        var error = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Validate(new BulwarkOptions
        {
            AuthMode = mode,
            JwtSecret = secret,
            JwtJwksUrl = jwks,
            JwtAllowedAlgs = algs,
        }));

        Assert.Contains(named, error.Message);
    }

    [Fact] // AUTHZ-2: BULWARK_ROLE_<NAME>_SCOPES is read from the environment; a bad scope names the variable
    public void Load_reads_role_scopes_when_role_variables_are_set()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_DATA_DIR"] = "/tmp/x",
            ["BULWARK_AUTH_MODE"] = "api_key,jwt",
            ["BULWARK_JWT_SECRET"] = "0123456789abcdef0123456789abcdef",
            ["BULWARK_JWT_CLOCK_SKEW_SEC"] = "30",
            ["BULWARK_ROLE_ANALYST_SCOPES"] = "jobs:read,audit:read",
        });

        Assert.Equal(["jobs:read", "audit:read"], options.RoleScopes.For("analyst"));
        Assert.Equal(30, options.JwtClockSkewSec);
        Assert.Equal(["*"], options.RoleScopes.For("admin"));
        var error = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_ROLE_BAD_SCOPES"] = "not a scope!",
        }));
        Assert.Contains("BULWARK_ROLE_BAD_SCOPES", error.Message);
    }
}
