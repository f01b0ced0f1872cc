using System.Net;
using System.Text.Json;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Auth;

/// <summary>AUTH-2 API keys and AUTHZ-1 scopes, over real HTTP.</summary>
public sealed class AuthenticationTests
{
    [Fact] // AUTH-2: missing, malformed, unknown, wrong-secret and revoked keys get the same 401
    public async Task Every_bad_credential_gets_the_same_401_problem_and_is_audited()
    {
        await using var server = await ServerFixture.StartAsync();
        var good = await server.NewTenantKeyAsync("acme", "jobs:read");
        var revoked = await server.NewKeyAsync("acme", "jobs:read");
        var tenant = (await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!;
        var revokedId = (await server.Store.ListApiKeysAsync(TenantScope.Of(tenant), CancellationToken.None))
            .Single(k => Bulwark.Core.Keys.ApiKeys.TryParse(revoked, out var id, out _) && k.Id == id).Id;
        await server.Operator.RevokeKeyAsync(revokedId, CancellationToken.None);

        var wrongSecret = good[..^4] + (good.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        var unknownId = "bwk_0000000000000000_" + good[(good.LastIndexOf('_') + 1)..];
        string?[] credentials = [null, "not-a-key", "bwk_short", unknownId, wrongSecret, revoked];

        var details = new HashSet<string>();
        foreach (var credential in credentials)
        {
            using var response = await server.SendAsync(HttpMethod.Get, "/v1/jobs", credential);
            var problem = await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
            details.Add(problem.GetProperty("detail").GetString()!);
        }

        Assert.Single(details); // a 401 never says whether a key exists
        var audit = await server.Store.ListAuditAsync(TenantScope.Of(tenant), 100, CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "auth.failure" && e.Outcome == "denied" && e.Target == "/v1/jobs");

        using var ok = await server.SendAsync(HttpMethod.Get, "/v1/jobs", good);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact] // AUTH-2: a key can expire
    public async Task Expired_key_is_refused()
    {
        await using var server = await ServerFixture.StartAsync();
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        var (record, plaintext) = server.Operator.NewKey(
            (await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!.Id, ["jobs:read"], TimeSpan.FromDays(1), "old");
        await server.Store.CreateApiKeyAsync(record with { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1) }, CancellationToken.None);

        using var response = await server.SendAsync(HttpMethod.Get, "/v1/jobs", plaintext);
        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact] // AUTHZ-1: each endpoint demands its scope; a refusal creates nothing
    public async Task Key_without_jobs_write_cannot_submit_and_nothing_is_stored()
    {
        await using var server = await ServerFixture.StartAsync();
        var readOnly = await server.NewTenantKeyAsync("acme", "jobs:read");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/jobs", readOnly, new { template = "demo.echo" });
        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");

        using var list = await server.SendAsync(HttpMethod.Get, "/v1/jobs", readOnly);
        Assert.Empty(JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("jobs").EnumerateArray());
        var tenant = (await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!;
        var audit = await server.Store.ListAuditAsync(TenantScope.Of(tenant), 100, CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "authz.denied");
    }

    [Fact] // AUTHZ-1 per template (seed 000: ops.scan needs ops:read)
    public async Task Template_scope_is_required_in_addition_to_jobs_write()
    {
        await using var server = await ServerFixture.StartAsync();
        var without = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        var with = await server.NewKeyAsync("acme", "jobs:read", "jobs:write", "ops:read");
        await server.ApplyTemplateAsync(TemplateFiles.Script("ops.scan", "echo scanned", scope: "ops:read"));

        using var refused = await server.SendAsync(HttpMethod.Post, "/v1/jobs", without, new { template = "ops.scan" });
        await Problem.AssertAsync(refused, HttpStatusCode.Forbidden, "forbidden");
        using var list = await server.SendAsync(HttpMethod.Get, "/v1/jobs", without);
        Assert.Empty(JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("jobs").EnumerateArray());

        var id = (await server.SubmitAsync(with, new { template = "ops.scan" })).GetProperty("id").GetString()!;
        Assert.Equal("succeeded", (await server.WaitForStateAsync(with, id, "succeeded", "dead")).GetProperty("state").GetString());
    }

    [Fact] // API.md GET /v1/whoami
    public async Task Whoami_shows_tenant_method_and_scopes()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "ops:*");

        using var response = await server.SendAsync(HttpMethod.Get, "/v1/whoami", key);
        var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("acme", me.GetProperty("tenant").GetString());
        Assert.Equal("api_key", me.GetProperty("auth_method").GetString());
        Assert.Equal(["jobs:read", "ops:*"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));
        Assert.StartsWith("key:", me.GetProperty("subject").GetString(), StringComparison.Ordinal);
    }

    [Fact] // AUTHZ-1: templates:admin registers a tenant's own template version by version
    public async Task Template_put_needs_templates_admin_and_creates_versions()
    {
        await using var server = await ServerFixture.StartAsync();
        var user = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        var admin = await server.NewKeyAsync("acme", "templates:admin", "jobs:read");
        const string body = """{"key":"acme.hello","kind":"script","command":["/bin/echo","hi"]}""";

        using var refused = await server.SendAsync(HttpMethod.Put, "/v1/templates/acme.hello", user, body);
        await Problem.AssertAsync(refused, HttpStatusCode.Forbidden, "forbidden");

        using var v1 = await server.SendAsync(HttpMethod.Put, "/v1/templates/acme.hello", admin, body);
        using var v2 = await server.SendAsync(HttpMethod.Put, "/v1/templates/acme.hello", admin, body);
        Assert.Equal(HttpStatusCode.Created, v2.StatusCode);
        Assert.Equal(2, JsonDocument.Parse(await v2.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt32());

        using var mismatch = await server.SendAsync(HttpMethod.Put, "/v1/templates/other.key", admin, body);
        await Problem.AssertAsync(mismatch, HttpStatusCode.BadRequest, "invalid_payload");

        var otherTenant = await server.NewTenantKeyAsync("globex", "jobs:read");
        using var theirs = await server.SendAsync(HttpMethod.Get, "/v1/templates", otherTenant);
        Assert.DoesNotContain("acme.hello", await theirs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
