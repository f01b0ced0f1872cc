using System.Net;
using System.Text.Json;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Audit;

/// <summary>
/// AUD-4: security events are also JSON lines in the server's log, in the seed 003 shape, read
/// from the output of a real server run.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecurityEventLogTests
{
    [Fact] // AUD-4: auth failure, authorisation refusal and credential change each give one parseable line; ordinary actions none
    public async Task Security_events_are_json_lines_with_the_seed_003_fields_and_no_credential()
    {
        await using var server = await ServerFixture.StartAsync();
        var reader = await server.NewTenantKeyAsync("acme", "jobs:read");
        var admin = await server.NewKeyAsync("acme", "jobs:read", "jobs:write", "keys:admin");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);
        var wrongSecret = reader[..^4] + (reader.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        string failedRequest, deniedRequest;
        using (var failed = await server.SendAsync(HttpMethod.Get, "/v1/jobs", wrongSecret))
        {
            var problem = await Problem.AssertAsync(failed, HttpStatusCode.Unauthorized, "unauthenticated");
            failedRequest = problem.GetProperty("request_id").GetString()!;
        }

        using (var denied = await server.SendAsync(HttpMethod.Post, "/v1/jobs", reader, new { template = "demo.echo" }))
        {
            var problem = await Problem.AssertAsync(denied, HttpStatusCode.Forbidden, "forbidden");
            deniedRequest = problem.GetProperty("request_id").GetString()!;
        }

        string newKey;
        using (var created = await server.SendAsync(HttpMethod.Post, "/v1/api-keys", admin, new { name = "ci", scopes = new[] { "jobs:read" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            newKey = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        }

        // Not a security event: a dry-run submission is audited, but stays out of this log.
        await server.SubmitAsync(admin, new { template = "demo.echo", dry_run = true });

        var output = server.Console.ToString();
        var events = output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.NotEmpty(events);
        foreach (var e in events)
        {
            Assert.Equal("SECURITY", e.GetProperty("level").GetString());
            Assert.True(e.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
            Assert.False(string.IsNullOrEmpty(e.GetProperty("event").GetString()));
            Assert.False(string.IsNullOrEmpty(e.GetProperty("outcome").GetString()));
            Assert.False(string.IsNullOrEmpty(e.GetProperty("clientId").GetString()));
            Assert.NotEqual("job_submit", e.GetProperty("event").GetString());
        }

        var authFailure = Assert.Single(events, e => e.GetProperty("requestId").GetString() == failedRequest);
        Assert.Equal("auth_failure", authFailure.GetProperty("event").GetString());
        Assert.Equal("denied", authFailure.GetProperty("outcome").GetString());
        Assert.Equal("127.0.0.1", authFailure.GetProperty("ip").GetString());
        Assert.False(string.IsNullOrEmpty(authFailure.GetProperty("reason").GetString()));
        Assert.Equal("/v1/jobs", authFailure.GetProperty("target").GetString());

        var authzDenied = Assert.Single(events, e => e.GetProperty("requestId").GetString() == deniedRequest);
        Assert.Equal("authz_denied", authzDenied.GetProperty("event").GetString());
        Assert.StartsWith("key:", authzDenied.GetProperty("clientId").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(authzDenied.GetProperty("tenantId").GetString()));
        Assert.Equal("jobs:write", authzDenied.GetProperty("detail").GetProperty("required_scope").GetString());

        var keyCreated = Assert.Single(events, e => e.GetProperty("event").GetString() == "key_create");
        Assert.Equal("success", keyCreated.GetProperty("outcome").GetString());

        // The credentials themselves never reach the log.
        Assert.DoesNotContain(wrongSecret, output, StringComparison.Ordinal);
        Assert.DoesNotContain(newKey, output, StringComparison.Ordinal);
        // The secret part of the key (base64url, so it may itself hold '_'), as the parser splits it.
        Assert.True(Core.Keys.ApiKeys.TryParse(reader, out _, out var readerSecret));
        Assert.DoesNotContain(readerSecret, output, StringComparison.Ordinal);
    }
}
