using System.Net;
using System.Text.Json;
using Bulwark.Server.Tests.Support;
using static Bulwark.Server.Tests.Policy.PolicyServer;

namespace Bulwark.Server.Tests.Policy;

/// <summary>AUTHZ-3, FLAG-1, JOB-8, SEC-3 over real HTTP: an action template runs only with a matching policy token.</summary>
public sealed class PolicyTokenEnforcementTests
{
    [Fact] // FLAG-1: the flag comes first; a valid token does not turn action jobs on
    public async Task Action_template_is_refused_as_feature_disabled_when_action_jobs_are_off()
    {
        var (server, key) = await StartAsync(o => o.ActionJobsEnabled = false);
        await using var _ = server;

        using var response = await SubmitAsync(server, key, Mint());

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "feature_disabled");
        await AssertNoJobsAsync(server);
    }

    [Fact] // AUTHZ-3
    public async Task Action_template_is_refused_as_policy_token_required_when_no_token_is_sent()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;

        using var response = await SubmitAsync(server, key, null);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "policy_token_required");
        await AssertNoJobsAsync(server);
        var refusal = Assert.Single(await AuditAsync(server), e => e.Action == "policy_token.use");
        Assert.Equal("denied", refusal.Outcome);
        Assert.Contains("\"reason\":\"missing\"", refusal.DetailJson, StringComparison.Ordinal);
    }

    [Theory] // AUTHZ-3, issue 4 item 11: policy token forgeries, each refused with nothing created
    [InlineData("other_secret", "bad_signature")]
    [InlineData("tampered_payload", "bad_signature")]
    [InlineData("empty_mac", "malformed")]
    [InlineData("garbage", "malformed")]
    [InlineData("huge", "malformed")]
    [InlineData("expired", "expired")]
    [InlineData("issued_in_the_future", "bad_lifetime")]
    [InlineData("other_tenant", "wrong_tenant")]
    [InlineData("other_action", "wrong_action")]
    [InlineData("insufficient_scopes", "insufficient_scopes")]
    public async Task Action_template_is_refused_as_policy_token_invalid_when_the_token_is_bad(string forgery, string reason)
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        await server.Operator.CreateTenantAsync("other", CancellationToken.None);
        var good = Mint();
        var token = forgery switch
        {
            "other_secret" => Mint(secret: "someone-elses-secret-0123456789abcdef"),
            "tampered_payload" => Tamper(good),
            "empty_mac" => good[..(good.LastIndexOf('.') + 1)],
            "garbage" => "not-a-token",
            "huge" => "bwp1." + new string('A', 100_000) + ".AAAA",
            "expired" => Mint(at: DateTimeOffset.UtcNow.AddHours(-2), ttl: TimeSpan.FromHours(1)),
            "issued_in_the_future" => Mint(at: DateTimeOffset.UtcNow.AddHours(1)),
            "other_tenant" => Mint(tenant: "other"),
            "other_action" => Mint(action: "ops.scan"),
            "insufficient_scopes" => Mint(scopes: ["ops:read"]),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };

        using var response = await SubmitAsync(server, key, token);

        var problem = await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "policy_token_invalid");
        Assert.DoesNotContain(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal); // the reason is for the audit log only
        await AssertNoJobsAsync(server);
        var refusal = Assert.Single(await AuditAsync(server), e => e.Action == "policy_token.use");
        Assert.Equal("denied", refusal.Outcome);
        Assert.Contains($"\"reason\":\"{reason}\"", refusal.DetailJson, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Length > 40 ? token[..40] : token, refusal.DetailJson ?? "", StringComparison.Ordinal); // SEC-1: never the token
    }

    [Fact] // AUTHZ-3: a token issued through the API lets the action job run, and its jti is audited
    public async Task Action_template_runs_when_the_token_comes_from_the_api()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        var token = await IssueAsync(server, key);

        using var response = await SubmitAsync(server, key, token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "succeeded");
        Assert.Contains("applied", await server.LogsAsync(key, id), StringComparison.Ordinal);
        var audit = await AuditAsync(server);
        var submit = Assert.Single(audit, e => e.Action == "job.submit");
        var use = Assert.Single(audit, e => e.Action == "policy_token.use");
        Assert.Equal("success", use.Outcome);
        Assert.Equal(id, use.Target);
        var jti = JsonDocument.Parse(use.DetailJson!).RootElement.GetProperty("jti").GetString()!;
        Assert.Contains(jti, submit.DetailJson, StringComparison.Ordinal);
        Assert.All(audit, e => Assert.DoesNotContain(token, e.DetailJson ?? "", StringComparison.Ordinal));
    }

    [Fact] // AUTHZ-3: a token minted by `bulwark tokens policy` is one the server accepts
    public async Task Action_template_runs_when_the_token_comes_from_the_cli()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Bulwark.Cli.CliApp.RunAsync(
            ["tokens", "policy", "--tenant", "acme", "--actor", "alice", "--action", Template, "--scopes", TemplateScope, "--ttl", "10m", "--data", server.Options.DataDir],
            stdout, stderr, new Dictionary<string, string?> { ["BULWARK_POLICY_TOKEN_SECRET"] = Secret });
        Assert.True(exit == 0, stderr.ToString());
        var token = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];

        using var response = await SubmitAsync(server, key, token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "succeeded");
    }

    [Fact] // SEC-3: during a rotation both secrets verify; once the old one is dropped its tokens are refused
    public async Task Token_of_the_previous_secret_verifies_during_rotation_and_is_refused_after_it()
    {
        var (server, key) = await StartAsync(o => o.PolicyTokenPreviousSecret = OldSecret);
        await using var _ = server;
        var old = Mint(secret: OldSecret);

        using (var during = await SubmitAsync(server, key, old))
        {
            Assert.Equal(HttpStatusCode.Accepted, during.StatusCode);
        }

        server.Options.PolicyTokenPreviousSecret = null;
        await server.RestartAsync();

        using var after = await SubmitAsync(server, key, old);
        await Problem.AssertAsync(after, HttpStatusCode.Forbidden, "policy_token_invalid");
        using var fresh = await SubmitAsync(server, key, Mint());
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        Assert.Equal(2, (await server.Store.ListJobsAsync(await ScopeAsync(server), new Core.Jobs.JobQuery(), CancellationToken.None)).Jobs.Count);
    }

    [Fact] // AUTH-5, AUTHZ-3: a leaked policy token is stopped by revoking its jti, on every node within seconds
    public async Task Action_template_is_refused_as_policy_token_invalid_when_the_token_jti_was_revoked()
    {
        var (server, key) = await StartAsync(o => o.RevocationRefreshSeconds = 1);
        await using var _ = server;
        var claims = Core.Tokens.PolicyToken.NewClaims("acme", "alice", Template, [TemplateScope], DateTimeOffset.UtcNow);
        var token = Core.Tokens.PolicyToken.Mint(new Core.Tokens.PolicyTokenSecrets(Secret), claims);

        await server.Operator.RevokeTokenAsync(claims.TokenId, "acme", "leaked", CancellationToken.None);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        HttpStatusCode status;
        do
        {
            using var probe = await SubmitAsync(server, key, token, dryRun: true);
            status = probe.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                await Task.Delay(200);
            }
        }
        while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline);

        using var response = await SubmitAsync(server, key, token);
        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "policy_token_invalid");
        await AssertNoJobsAsync(server);
        Assert.Contains(await AuditAsync(server), e => e.Action == "policy_token.use" && e.Outcome == "denied"
            && e.DetailJson!.Contains("\"reason\":\"revoked\"", StringComparison.Ordinal) && !e.DryRun);
    }

    [Fact] // JOB-8: a dry run checks the token exactly like a real submission
    public async Task Dry_run_is_refused_with_a_bad_token_and_answers_200_with_a_good_one_creating_nothing()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;

        using (var bad = await SubmitAsync(server, key, Mint(action: "ops.scan"), dryRun: true))
        {
            await Problem.AssertAsync(bad, HttpStatusCode.Forbidden, "policy_token_invalid");
        }

        using (var missing = await SubmitAsync(server, key, null, dryRun: true))
        {
            await Problem.AssertAsync(missing, HttpStatusCode.Forbidden, "policy_token_required");
        }

        using var good = await SubmitAsync(server, key, Mint(), dryRun: true);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.True(JsonDocument.Parse(await good.Content.ReadAsStringAsync()).RootElement.GetProperty("dry_run").GetBoolean());
        await AssertNoJobsAsync(server);
        var uses = (await AuditAsync(server)).Where(e => e.Action == "policy_token.use").ToList();
        Assert.Equal(3, uses.Count);
        Assert.All(uses, e => Assert.True(e.DryRun));
        Assert.Single(uses, e => e.Outcome == "success");
    }

    [Fact] // AUTHZ-4: tokens may be switched off, but the server says so loudly at start
    public async Task Action_template_runs_without_a_token_and_start_warns_when_policy_tokens_are_not_required()
    {
        var (server, key) = await StartAsync(o =>
        {
            o.RequirePolicyTokens = false;
            o.PolicyTokenSecret = null;
        });
        await using var _ = server;

        Assert.Contains("BULWARK_REQUIRE_POLICY_TOKENS=0", server.Console.ToString(), StringComparison.Ordinal);
        using var response = await SubmitAsync(server, key, null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact] // AUTHZ-3: the template's own scope still comes first, before any token is looked at
    public async Task Action_template_is_refused_as_forbidden_when_the_caller_lacks_the_template_scope()
    {
        var (server, _) = await StartAsync();
        await using var __ = server;
        var weak = await server.NewKeyAsync("acme", "jobs:read", "jobs:write");

        using var response = await SubmitAsync(server, weak, Mint());

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        await AssertNoJobsAsync(server);
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        var forged = payload.Replace("\"ops:write\"", "\"*\"", StringComparison.Ordinal);
        Assert.NotEqual(payload, forged);
        return $"{parts[0]}.{System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(forged))}.{parts[2]}";
    }
}
