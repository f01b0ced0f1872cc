using System.Net;
using System.Text.Json;
using Bulwark.Core.Tokens;
using Bulwark.Server.Tests.Support;
using static Bulwark.Server.Tests.Policy.PolicyServer;

namespace Bulwark.Server.Tests.Policy;

/// <summary>AUTHZ-3, NET-3: <c>POST /v1/policy-tokens</c> mints for the caller's tenant, audited, 50 per hour per tenant.</summary>
public sealed class PolicyTokenIssueTests
{
    [Fact] // AUTHZ-3, AUD-1
    public async Task Issue_returns_a_token_of_the_callers_tenant_and_audits_it_without_the_token()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        var before = DateTimeOffset.UtcNow;

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/policy-tokens", key,
            new { actor = "alice", action = Template, scopes = new[] { TemplateScope }, ttl_seconds = 900 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var token = body.GetProperty("token").GetString()!;
        var expiresAt = body.GetProperty("expires_at").GetDateTimeOffset();
        Assert.InRange(expiresAt, before.AddSeconds(899), DateTimeOffset.UtcNow.AddSeconds(901));
        Assert.Equal(PolicyTokenCheck.Valid, PolicyToken.Check(new PolicyTokenSecrets(Secret), token, DateTimeOffset.UtcNow, out var claims));
        Assert.Equal(("acme", "alice", Template), (claims!.Tenant, claims.Actor, claims.Action));
        var issued = Assert.Single(await AuditAsync(server), e => e.Action == "policy_token.issue");
        Assert.Equal("success", issued.Outcome);
        Assert.Equal(claims.TokenId, issued.Target);
        Assert.DoesNotContain(token.Split('.')[2], issued.DetailJson, StringComparison.Ordinal);
    }

    [Fact] // NET-3: the 51st token within an hour is refused, audited, and nothing is issued; a restart does not reset it
    public async Task Issue_answers_429_rate_limited_with_retry_after_when_the_tenant_had_50_this_hour()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        for (var i = 0; i < 50; i++)
        {
            await IssueAsync(server, key);
        }

        using var refused = await server.SendAsync(HttpMethod.Post, "/v1/policy-tokens", key,
            new { actor = "alice", action = Template, scopes = new[] { TemplateScope } });

        var problem = await Problem.AssertAsync(refused, (HttpStatusCode)429, "rate_limited");
        Assert.False(problem.TryGetProperty("token", out var __));
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        var audit = await AuditAsync(server);
        Assert.Equal(50, audit.Count(e => e.Action == "policy_token.issue" && e.Outcome == "success"));
        var denied = Assert.Single(audit, e => e.Action == "policy_token.issue" && e.Outcome == "denied");
        Assert.Contains("rate_limited", denied.DetailJson, StringComparison.Ordinal);

        // The count lives in the shared store, not in this node's memory.
        await server.RestartAsync();
        using var afterRestart = await server.SendAsync(HttpMethod.Post, "/v1/policy-tokens", key,
            new { actor = "alice", action = Template, scopes = new[] { TemplateScope } });
        await Problem.AssertAsync(afterRestart, (HttpStatusCode)429, "rate_limited");

        // Per tenant: another tenant is not held back by this one.
        var otherKey = await server.NewTenantKeyAsync("other", CallerScopes);
        await IssueAsync(server, otherKey);
    }

    [Fact] // AUTHZ-1: issuing needs tokens:issue
    public async Task Issue_is_forbidden_when_the_caller_lacks_tokens_issue()
    {
        var (server, _) = await StartAsync();
        await using var __ = server;
        var key = await server.NewKeyAsync("acme", "jobs:write", "ops:write");

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/policy-tokens", key,
            new { actor = "alice", action = Template, scopes = new[] { TemplateScope } });

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.DoesNotContain(await AuditAsync(server), e => e.Action == "policy_token.issue");
    }

    [Fact] // AUTHZ-3: a token never grants more than its issuer holds
    public async Task Issue_is_forbidden_when_the_scopes_asked_for_exceed_the_callers()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/policy-tokens", key,
            new { actor = "alice", action = Template, scopes = new[] { "finops:write" } });

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.DoesNotContain(await AuditAsync(server), e => e.Action == "policy_token.issue");
    }

    [Theory] // NET-2: a bad body changes nothing
    [InlineData("""{"action":"ops.apply","scopes":["ops:write"]}""")]
    [InlineData("""{"actor":"alice","action":"ops apply!","scopes":[]}""")]
    [InlineData("""{"actor":"alice","action":"ops.apply","scopes":["not a scope"]}""")]
    [InlineData("""{"actor":"alice","action":"ops.apply","ttl_seconds":86401}""")]
    [InlineData("""{"actor":"alice","action":"ops.apply","ttl_seconds":0}""")]
    [InlineData("""{"actor":"alice","action":"ops.apply","tenant":"other"}""")]
    public async Task Issue_answers_400_when_the_body_is_invalid(string body)
    {
        var (server, key) = await StartAsync();
        await using var _ = server;

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/policy-tokens", key, body);

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_payload");
        Assert.DoesNotContain(await AuditAsync(server), e => e.Action == "policy_token.issue");
    }

    [Fact] // AUTHZ-4: without a secret there is nothing to sign with
    public async Task Issue_answers_503_when_no_policy_secret_is_configured()
    {
        var (server, key) = await StartAsync(o =>
        {
            o.ActionJobsEnabled = false;
            o.PolicyTokenSecret = null;
        });
        await using var _ = server;

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/policy-tokens", key,
            new { actor = "alice", action = Template, scopes = new[] { TemplateScope } });

        await Problem.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "policy_tokens_unavailable");
    }
}
