using System.Net;
using System.Security.Cryptography;
using Bulwark.Core.Identity;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Auth.Jwt;

/// <summary>AUTH-3 positive paths, AUTH-6 first-login provisioning and AUTHZ-2 roles → scopes, over real HTTP.</summary>
public sealed class JwtAuthenticationTests(JwtServer jwt) : IClassFixture<JwtServer>
{
    [Fact] // AUTH-3, AUTHZ-2: explicit scopes ∪ the roles' scopes; unknown roles give nothing
    public async Task Hs256_token_gets_whoami_with_roles_mapped_to_scopes_when_valid()
    {
        var token = jwt.Hs256(TokenForge.Claims(subject: "hs-alice", change: c => c["roles"] = new[] { "writer", "pirate" }));

        var me = await JwtServer.WhoAmIAsync(jwt.Server, token);

        Assert.Equal("acme", me.GetProperty("tenant").GetString());
        Assert.Equal("hs-alice", me.GetProperty("subject").GetString());
        Assert.Equal("jwt", me.GetProperty("auth_method").GetString());
        Assert.Equal(["writer", "pirate"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["ops:read", "jobs:read", "jobs:write", "events:write"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact] // AUTH-3: scope claim as an array; the scopes grant what they say (AUTHZ-1)
    public async Task Token_scopes_given_as_array_are_read_when_scope_claim_is_an_array()
    {
        var token = jwt.Hs256(TokenForge.Claims(subject: "hs-array", change: c => { c["roles"] = "reader"; c["scope"] = new[] { "jobs:write", "ops:read" }; }));

        var me = await JwtServer.WhoAmIAsync(jwt.Server, token);

        Assert.Equal(["jobs:write", "ops:read", "jobs:read"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        using var submit = await jwt.Server.SendAsync(HttpMethod.Post, "/v1/jobs", token, new { template = "demo.echo" });
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
    }

    [Fact] // AUTH-3: RS256 from the loopback JWKS
    public async Task Rs256_token_is_accepted_when_signed_by_a_jwks_key()
    {
        var me = await JwtServer.WhoAmIAsync(jwt.Server, TokenForge.Rs256(jwt.Rsa, JwtServer.RsaKid, TokenForge.Claims(subject: "rs-bob")));

        Assert.Equal("rs-bob", me.GetProperty("subject").GetString());
    }

    [Fact] // AUTH-3: ES256 from the loopback JWKS
    public async Task Es256_token_is_accepted_when_signed_by_a_jwks_key()
    {
        var me = await JwtServer.WhoAmIAsync(jwt.Server, TokenForge.Es256(jwt.Ec, JwtServer.EcKid, TokenForge.Claims(subject: "es-carol")));

        Assert.Equal("es-carol", me.GetProperty("subject").GetString());
    }

    [Fact] // AUTH-6: the first valid token creates the user, once, audited as user.provision
    public async Task First_valid_token_of_unknown_subject_provisions_its_user_once()
    {
        var acme = TenantScope.Of((await jwt.Server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!);
        Assert.Null(await jwt.Server.Store.FindUserAsync(acme, "new-dave", CancellationToken.None));

        await JwtServer.WhoAmIAsync(jwt.Server, jwt.Hs256(TokenForge.Claims(subject: "new-dave")));
        await JwtServer.WhoAmIAsync(jwt.Server, jwt.Hs256(TokenForge.Claims(subject: "new-dave")));

        var user = await jwt.Server.Store.FindUserAsync(acme, "new-dave", CancellationToken.None);
        Assert.NotNull(user);
        Assert.Equal("new-dave@example.test", user.Email);
        Assert.Equal(["writer"], user.Roles);
        var audit = await jwt.Server.Store.ListAuditAsync(acme, 500, CancellationToken.None);
        Assert.Single(audit, e => e.Action == "user.provision" && e.Target == "new-dave");
    }

    [Fact] // AUTH-1: several modes at once; the API key still works beside JWTs
    public async Task Api_key_still_works_when_jwt_mode_is_also_on()
    {
        using var response = await jwt.Server.SendAsync(HttpMethod.Get, "/v1/whoami", jwt.Server.AdminKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact] // TEN-4 with AUTH-3: a suspended tenant's tokens are refused like unknown ones
    public async Task Token_of_suspended_tenant_is_refused_when_tenant_is_suspended()
    {
        await jwt.Server.Operator.CreateTenantAsync("frozen", CancellationToken.None);
        var token = jwt.Hs256(TokenForge.Claims(tenant: "frozen", subject: "ice"));
        await JwtServer.WhoAmIAsync(jwt.Server, token);

        Assert.True(await jwt.Server.Store.SetTenantSuspendedAsync("frozen", true, CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the authenticator re-reads a tenant at most once a second

        using var response = await jwt.Server.SendAsync(HttpMethod.Get, "/v1/whoami", token);
        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact] // AUTH-1: only the configured modes' authenticators exist
    public async Task Api_key_is_refused_when_auth_mode_is_jwt_only()
    {
        await using var server = await JwtServer.StartAsync(null, JwtServer.SecretText(RandomNumberGenerator.GetBytes(32)), o => o.AuthMode = "jwt");

        using var response = await server.SendAsync(HttpMethod.Get, "/v1/whoami", server.AdminKey);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact] // AUTH-3: with no JWKS configured, RS256 is not allowed at all (no RS→HS path either)
    public async Task Rs256_token_is_refused_when_only_a_secret_is_configured()
    {
        await using var server = await JwtServer.StartAsync(null, JwtServer.SecretText(RandomNumberGenerator.GetBytes(32)));
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        using var rsa = RSA.Create(2048);

        using var response = await server.SendAsync(HttpMethod.Get, "/v1/whoami", TokenForge.Rs256(rsa, "k", TokenForge.Claims()));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact] // AUTH-3: RS→HS confusion with only a JWKS configured: HS256 is not even an allowed algorithm
    public async Task Hs256_token_signed_with_the_public_key_is_refused_when_only_a_jwks_is_configured()
    {
        await using var keys = await KeyServer.StartAsync();
        using var rsa = RSA.Create(2048);
        keys.Serve(TokenForge.RsaJwk(rsa, "k1"));
        await using var server = await JwtServer.StartAsync(keys, null);
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        var forged = TokenForge.Hs256(System.Text.Encoding.UTF8.GetBytes(rsa.ExportSubjectPublicKeyInfoPem()), TokenForge.Claims(), new() { ["kid"] = "k1" });

        using var response = await server.SendAsync(HttpMethod.Get, "/v1/whoami", forged);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        await JwtServer.WhoAmIAsync(server, TokenForge.Rs256(rsa, "k1", TokenForge.Claims()));
    }

    [Fact] // AUTH-3: claim names are configurable
    public async Task Custom_claim_names_are_read_when_configured()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        await using var server = await JwtServer.StartAsync(null, JwtServer.SecretText(secret), o =>
        {
            o.JwtSubClaim = "uid";
            o.JwtTenantClaim = "org";
            o.JwtRolesClaim = "groups";
            o.JwtScopesClaim = "scp";
            o.RoleScopes = RoleScopes.Parse(new Dictionary<string, string?> { ["BULWARK_ROLE_OPS_SCOPES"] = "ops:*" });
        });
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        var token = TokenForge.Hs256(System.Text.Encoding.UTF8.GetBytes(JwtServer.SecretText(secret)), TokenForge.Claims(change: c =>
        {
            c["sub"] = null;
            c["tenant"] = null;
            c["uid"] = "u-1";
            c["org"] = "acme";
            c["groups"] = new[] { "ops" };
            c["scp"] = "audit:read";
        }));

        var me = await JwtServer.WhoAmIAsync(server, token);

        Assert.Equal("u-1", me.GetProperty("subject").GetString());
        Assert.Equal(["audit:read", "ops:*"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }
}
