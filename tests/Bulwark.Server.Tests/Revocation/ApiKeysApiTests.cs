using System.Net;
using System.Text.Json;
using Bulwark.Core.Keys;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Revocation;

/// <summary>AUTH-2 <c>/v1/api-keys</c> over real HTTP: shown once, never a hash, no escalation, own tenant only.</summary>
public sealed class ApiKeysApiTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static async Task<IReadOnlyList<ApiKeyRecord>> KeysOfAsync(ServerFixture server, string tenant) =>
        await server.Store.ListApiKeysAsync(TenantScope.Of((await server.Store.FindTenantByNameAsync(tenant, Ct))!), Ct);

    [Fact]
    public async Task Api_keys_create_shows_the_key_once_and_the_key_works_with_its_scopes_AUTH_2()
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "keys:admin", "jobs:read", "jobs:write");

        using var created = await server.SendAsync(HttpMethod.Post, "/v1/api-keys", admin,
            new { name = "ci", scopes = new[] { "jobs:read" }, expires_in_seconds = 3600 });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await JsonAsync(created);
        var key = body.GetProperty("key").GetString()!;
        Assert.True(ApiKeys.TryParse(key, out var id, out _));
        Assert.Equal(id, body.GetProperty("id").GetString());
        Assert.Equal("ci", body.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.String, body.GetProperty("expires_at").ValueKind);
        using (var read = await server.SendAsync(HttpMethod.Get, "/v1/jobs", key))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using var write = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, new { template = "x" });
        await Problem.AssertAsync(write, HttpStatusCode.Forbidden, "forbidden");

        using var listed = await server.SendAsync(HttpMethod.Get, "/v1/api-keys", admin);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var text = await listed.Content.ReadAsStringAsync();
        var secret = key.Split('_', 3)[2];
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        var items = JsonDocument.Parse(text).RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        var mine = Assert.Single(items, i => i.GetProperty("id").GetString() == id);
        Assert.Equal(["jobs:read"], mine.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.False(mine.TryGetProperty("key", out _));

        var audit = await server.Store.ListAuditAsync(TenantScope.Of((await server.Store.FindTenantByNameAsync("acme", Ct))!), 50, Ct);
        Assert.Contains(audit, e => e.Action == "key.create" && e.Outcome == "success" && e.Target == id);
    }

    [Fact]
    public async Task Api_keys_delete_revokes_the_key_at_once_AUTH_2_AUTH_5()
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "keys:admin");
        var victim = await server.NewKeyAsync("acme", "jobs:read");
        Assert.True(ApiKeys.TryParse(victim, out var id, out _));

        using var deleted = await server.SendAsync(HttpMethod.Delete, $"/v1/api-keys/{id}", admin);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var refused = await server.SendAsync(HttpMethod.Get, "/v1/jobs", victim);
        await Problem.AssertAsync(refused, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.NotNull(Assert.Single(await KeysOfAsync(server, "acme"), k => k.Id == id).RevokedAt);
    }

    [Theory]
    [InlineData("jobs:write")] // a scope the caller lacks
    [InlineData("*")] // everything
    [InlineData("jobs:*")] // a family wider than what it holds
    public async Task Api_keys_create_refuses_scopes_the_caller_does_not_hold_and_creates_nothing_AUTH_2(string wanted)
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "keys:admin", "jobs:read");

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/api-keys", admin,
            new { scopes = new[] { "jobs:read", wanted } });

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "scope_escalation");
        Assert.Single(await KeysOfAsync(server, "acme"));
        var audit = await server.Store.ListAuditAsync(TenantScope.Of((await server.Store.FindTenantByNameAsync("acme", Ct))!), 50, Ct);
        Assert.Contains(audit, e => e.Action == "key.create" && e.Outcome == "denied" && e.DetailJson!.Contains("scope_escalation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_keys_create_lets_a_wildcard_holder_mint_narrower_keys_AUTH_2()
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "keys:admin", "jobs:*");

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/api-keys", admin,
            new { scopes = new[] { "jobs:read", "jobs:*" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Api_keys_delete_answers_404_and_changes_nothing_when_the_key_is_another_tenants_TEN_1()
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "keys:admin");
        var theirs = await server.NewTenantKeyAsync("globex", "jobs:read");
        Assert.True(ApiKeys.TryParse(theirs, out var id, out _));

        using var deleted = await server.SendAsync(HttpMethod.Delete, $"/v1/api-keys/{id}", admin);
        using var unknown = await server.SendAsync(HttpMethod.Delete, "/v1/api-keys/key_0000000000000000", admin);

        var a = await Problem.AssertAsync(deleted, HttpStatusCode.NotFound, "not_found");
        var b = await Problem.AssertAsync(unknown, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(b.GetProperty("detail").GetString(), a.GetProperty("detail").GetString());
        using var stillWorks = await server.SendAsync(HttpMethod.Get, "/v1/jobs", theirs);
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
        Assert.Null(Assert.Single(await KeysOfAsync(server, "globex")).RevokedAt);
        Assert.Empty(await server.Store.ListRevocationsAsync(DateTimeOffset.UtcNow, Ct));

        using var listed = await server.SendAsync(HttpMethod.Get, "/v1/api-keys", admin);
        Assert.DoesNotContain(id, await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"scopes":[]}""")]
    [InlineData("""{"scopes":["not a scope"]}""")]
    [InlineData("""{"scopes":"jobs:read"}""")]
    [InlineData("""{"scopes":["jobs:read"],"expires_in_seconds":0}""")]
    [InlineData("""{"scopes":["jobs:read"],"tenant":"globex"}""")]
    public async Task Api_keys_create_refuses_a_malformed_body_and_creates_nothing_AUTH_2(string body)
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "*");

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/api-keys", admin, body);

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_payload");
        Assert.Single(await KeysOfAsync(server, "acme"));
    }

    [Fact]
    public async Task Api_keys_routes_refuse_a_caller_without_keys_admin_AUTHZ_1()
    {
        await using var server = await ServerFixture.StartAsync();
        var reader = await server.NewTenantKeyAsync("acme", "jobs:read");

        using var create = await server.SendAsync(HttpMethod.Post, "/v1/api-keys", reader, new { scopes = new[] { "jobs:read" } });
        using var list = await server.SendAsync(HttpMethod.Get, "/v1/api-keys", reader);

        await Problem.AssertAsync(create, HttpStatusCode.Forbidden, "forbidden");
        await Problem.AssertAsync(list, HttpStatusCode.Forbidden, "forbidden");
        Assert.Single(await KeysOfAsync(server, "acme"));
    }
}
