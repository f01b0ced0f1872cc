using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Tokens;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Policy;

/// <summary>A server with action jobs on and a policy secret, one action template and the helpers the policy tests share.</summary>
internal static class PolicyServer
{
    public const string Secret = "policy-secret-current-0123456789abcdef";
    public const string OldSecret = "policy-secret-previous-0123456789abcde";
    public const string Template = "ops.apply";
    public const string TemplateScope = "ops:write";

    public static readonly string[] CallerScopes = ["jobs:read", "jobs:write", "ops:write", "tokens:issue"];

    public static async Task<(ServerFixture Server, string Key)> StartAsync(Action<Bulwark.Server.Hosting.BulwarkOptions>? configure = null)
    {
        var server = await ServerFixture.StartAsync(o =>
        {
            o.ActionJobsEnabled = true;
            o.PolicyTokenSecret = Secret;
            configure?.Invoke(o);
        });
        var key = await server.NewTenantKeyAsync("acme", CallerScopes);
        await server.ApplyTemplateAsync(ActionTemplate);
        return (server, key);
    }

    public static string ActionTemplate => TemplateFiles.Script(Template, "echo applied", scope: TemplateScope) + "\naction: true\n";

    public static string Mint(string secret = Secret, string tenant = "acme", string action = Template, string[]? scopes = null, DateTimeOffset? at = null, TimeSpan? ttl = null) =>
        PolicyToken.Mint(
            new PolicyTokenSecrets(secret),
            PolicyToken.NewClaims(tenant, "alice", action, scopes ?? [TemplateScope], at ?? DateTimeOffset.UtcNow, ttl));

    public static Task<HttpResponseMessage> SubmitAsync(ServerFixture server, string key, string? token, bool dryRun = false) =>
        server.SendAsync(HttpMethod.Post, "/v1/jobs", key, new Dictionary<string, object?>
        {
            ["template"] = Template,
            ["policy_token"] = token,
            ["dry_run"] = dryRun,
        });

    public static async Task<string> IssueAsync(ServerFixture server, string key, string action = Template, string[]? scopes = null)
    {
        using var response = await server.SendAsync(HttpMethod.Post, "/v1/policy-tokens", key,
            new { actor = "alice", action, scopes = scopes ?? [TemplateScope], ttl_seconds = 600 });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"issue answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("token").GetString()!;
    }

    public static async Task<TenantScope> ScopeAsync(ServerFixture server, string tenant = "acme") =>
        TenantScope.Of((await server.Store.FindTenantByNameAsync(tenant, CancellationToken.None))!);

    public static async Task AssertNoJobsAsync(ServerFixture server, string tenant = "acme")
    {
        var scope = await ScopeAsync(server, tenant);
        Assert.Empty((await server.Store.ListJobsAsync(scope, new JobQuery(), CancellationToken.None)).Jobs);
        var audit = await server.Store.ListAuditAsync(scope, 1000, CancellationToken.None);
        Assert.DoesNotContain(audit, e => e.Action == "job.submit" && !e.DryRun);
    }

    public static async Task<IReadOnlyList<AuditEntry>> AuditAsync(ServerFixture server, string tenant = "acme") =>
        await server.Store.ListAuditAsync(await ScopeAsync(server, tenant), 1000, CancellationToken.None);
}
