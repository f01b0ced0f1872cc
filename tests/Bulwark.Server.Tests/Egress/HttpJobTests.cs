using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Egress;
using Bulwark.Server.Tests.Runtime;
using Bulwark.Server.Tests.Secrets;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Egress;

/// <summary>
/// The http job kind and the runtime API's <c>POST http</c> end to end (NET-1, BOX-3, SEC-2,
/// SEC-4, AUD-1): a real server with <c>BULWARK_EGRESS_ALLOW_LOOPBACK</c> (development) and a
/// tenant allow-list naming 127.0.0.1, against a listener on 127.0.0.1 — the only place any of
/// these tests sends a packet.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HttpJobTests : IDisposable
{
    private const string Rt = """
        rt() { m=$1; p=$2; shift 2; curl -sS --unix-socket "$BULWARK_RUNTIME_SOCKET" -X "$m" -H "Authorization: Bearer $BULWARK_TASK_TOKEN" -H 'Content-Type: application/json' -w ' %{http_code}\n' "http://runtime$p" "$@"; }

        """;

    private readonly string _secretsDir = Directory.CreateTempSubdirectory("bulwark-egress-e2e-").FullName;
    private readonly string _secret = "hk-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)) + "+/=x";

    public void Dispose() => Directory.Delete(_secretsDir, recursive: true);

    private Task<ServerFixture> StartAsync(LoopbackListener listener, CapturedLog? log = null) => ServerFixture.StartAsync(o =>
    {
        o.EgressAllowLoopback = true;
        o.EgressAllowedPorts = listener.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        o.EgressAllowLists = EgressAllowLists.Of(new Dictionary<string, string> { ["acme"] = "127.0.0.1" });
        o.SecretsDir = _secretsDir;
        o.AdditionalLogProvider = log;
    });

    private void WriteSecret(string tenant, string name, string value)
    {
        Directory.CreateDirectory(Path.Join(_secretsDir, "dev", tenant));
        File.WriteAllText(Path.Join(_secretsDir, "dev", tenant, name), value + "\n");
    }

    private static string HttpTemplate(string key, string url, string extra = "") => $$"""
        key: {{key}}
        kind: http
        request: { method: POST, url: "{{url}}", headers: { X-Token: "{{"{{"}}secrets.hook_token{{"}}"}}", X-Source: bulwark } }
        url_from_input: url
        body_from_input: payload
        secrets: [hook_token]
        retry: { max_attempts: 1, backoff_seconds: 0, max_backoff_seconds: 0 }
        {{extra}}
        """;

    private static string ScriptTemplate(string key, string network, string script) => $"""
        key: {key}
        kind: script
        command: ["/bin/sh", "-c", {System.Text.Json.JsonSerializer.Serialize(script)}]
        network: {network}
        limits: {"{"} timeout_seconds: 30 {"}"}
        retry: {"{"} max_attempts: 1, backoff_seconds: 0, max_backoff_seconds: 0 {"}"}
        """;

    private static Task<long> AuditCountAsync(ServerFixture server, string outcome) => RuntimeApiClient.CountAsync(
        server.Options.DatabasePath, "SELECT count(*) FROM audit_log WHERE action = 'egress.request' AND outcome = @o", ("@o", outcome));

    [Fact] // NET-1, SEC-2, SEC-4, AUD-1: the request carries the secret header; the result, logs, database and server log never hold it
    public async Task Http_job_reaches_an_allowed_listener_and_its_secret_stays_out_of_everything_kept()
    {
        // The listener echoes the header back, as a careless server might: the result must still not hold it.
        await using var listener = LoopbackListener.Start(request => LoopbackListener.Response(
            201, "echo:" + request.Split("\r\n").First(l => l.StartsWith("X-Token:", StringComparison.Ordinal)), "Content-Type: text/plain", "X-Reply: yes"));
        var serverLog = new CapturedLog();
        await using var server = await StartAsync(listener, serverLog);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        WriteSecret("acme", "hook_token", _secret);
        await server.ApplyTemplateAsync(HttpTemplate("hooks.notify", $"http://127.0.0.1:{listener.Port}/notify"));

        var url = $"http://127.0.0.1:{listener.Port}/notify?run=1";
        var id = (await server.SubmitAsync(key, new { template = "hooks.notify", inputs = new { url, payload = new { text = "hi" } } }))
            .GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), job.GetRawText() + logs);
        var sent = Assert.Single(listener.Requests);
        Assert.StartsWith("POST /notify?run=1 HTTP/1.1\r\n", sent, StringComparison.Ordinal);
        Assert.Contains($"X-Token: {_secret}\r\n", sent, StringComparison.Ordinal);
        Assert.Contains("X-Source: bulwark\r\n", sent, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n{\"text\":\"hi\"}", sent, StringComparison.Ordinal);
        var result = job.GetProperty("result");
        Assert.Equal(201, result.GetProperty("status").GetInt32());
        Assert.Equal("yes", result.GetProperty("headers").GetProperty("x-reply").GetString());
        Assert.Equal("echo:X-Token: [REDACTED]", result.GetProperty("body").GetString());
        Assert.False(result.GetProperty("body_base64").GetBoolean());

        AssertNowhere("the job", job.GetRawText());
        AssertNowhere("the logs", logs);
        foreach (var file in Directory.GetFiles(server.Options.DataDir, "bulwark.db*"))
        {
            AssertNowhere(file, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
        }

        AssertNowhere("the server log", serverLog.Text);
        // AUD-1: one entry for the one request, its target without the query string.
        Assert.Equal(1, await AuditCountAsync(server, "success"));
        Assert.Equal(1, await RuntimeApiClient.CountAsync(server.Options.DatabasePath,
            "SELECT count(*) FROM audit_log WHERE action = 'egress.request' AND target = @t AND actor = @a AND detail_json LIKE '%\"status\":201%'",
            ("@t", $"http://127.0.0.1:{listener.Port}/notify"), ("@a", "task:" + id)));
    }

    [Fact] // NET-1, AUD-1, AUD-4: a refused address fails the run with egress_denied, and the listener it would have reached saw nothing
    public async Task Http_job_to_a_denied_address_fails_with_egress_denied_and_sends_nothing()
    {
        await using var listener = LoopbackListener.Start(_ => LoopbackListener.Ok("reached"));
        await using var server = await StartAsync(listener);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        var other = await server.NewTenantKeyAsync("other", "jobs:read", "jobs:write");
        WriteSecret("acme", "hook_token", _secret);
        WriteSecret("other", "hook_token", _secret);
        await server.ApplyTemplateAsync(HttpTemplate("hooks.notify", $"http://127.0.0.1:{listener.Port}/"));

        // 0.0.0.0 would connect to this very listener on Linux; the guard refuses it first.
        var denied = (await server.SubmitAsync(key, new { template = "hooks.notify", inputs = new { url = $"http://0.0.0.0:{listener.Port}/" } }))
            .GetProperty("id").GetString()!;
        // A tenant with no allow-list reaches no host at all, not even one another tenant may reach.
        var unlisted = (await server.SubmitAsync(other, new { template = "hooks.notify", inputs = new { url = $"http://127.0.0.1:{listener.Port}/" } }))
            .GetProperty("id").GetString()!;
        var deniedJob = await server.WaitForStateAsync(key, denied, "succeeded", "failed", "dead");
        var unlistedJob = await server.WaitForStateAsync(other, unlisted, "succeeded", "failed", "dead");

        foreach (var job in new[] { deniedJob, unlistedJob })
        {
            Assert.Equal("failed", job.GetProperty("state").GetString());
            Assert.Equal("egress_denied", job.GetProperty("error_code").GetString());
            Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        }

        Assert.Contains("'0.0.0.0'", deniedJob.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("allow-list", unlistedJob.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, listener.Accepted);
        Assert.Equal(2, await AuditCountAsync(server, "denied"));
        Assert.Equal(0, await AuditCountAsync(server, "success"));
        Assert.Contains("\"event\":\"egress_request\"", server.Console.ToString(), StringComparison.Ordinal); // AUD-4 security line
    }

    [Fact] // NET-1: a timeout is retried per the template's policy and ends dead with egress_timeout
    public async Task Http_job_that_times_out_is_retried_and_ends_dead_with_egress_timeout()
    {
        await using var listener = LoopbackListener.Start(_ => null);
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.EgressAllowLoopback = true;
            o.EgressAllowedPorts = listener.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            o.EgressAllowLists = EgressAllowLists.Of(new Dictionary<string, string> { ["acme"] = "127.0.0.1" });
            o.EgressTimeoutSeconds = 1;
        });
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync($$"""
            key: hooks.slow
            kind: http
            request: { method: GET, url: "http://127.0.0.1:{{listener.Port}}/" }
            retry: { max_attempts: 2, backoff_seconds: 0, max_backoff_seconds: 0 }
            """);

        var id = (await server.SubmitAsync(key, new { template = "hooks.slow" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");

        Assert.Equal("dead", job.GetProperty("state").GetString());
        Assert.Equal("egress_timeout", job.GetProperty("error_code").GetString());
        Assert.Equal(2, job.GetProperty("attempts").GetInt32());
        Assert.Equal(2, listener.Accepted);
    }

    [Fact] // BOX-3, NET-1: a script job with network: egress reaches an allowed host through POST /runtime/v1/http, and only that way
    public async Task Script_job_with_network_egress_calls_out_through_the_runtime_api_and_the_guard_still_refuses()
    {
        await using var listener = LoopbackListener.Start(_ => LoopbackListener.Ok("hello from the listener"));
        await using var server = await StartAsync(listener);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(ScriptTemplate("rt.egress", "egress", Rt + $$$"""
            rt POST /runtime/v1/http --data '{"method":"GET","url":"http://127.0.0.1:{{{listener.Port}}}/hi","headers":{"X-Job":"1"}}'
            echo
            rt POST /runtime/v1/http --data '{"method":"GET","url":"http://0.0.0.0:{{{listener.Port}}}/"}' -o /dev/null
            rt POST /runtime/v1/http --data '{"method":"GET","url":"http://127.0.0.1:{{{listener.Port}}}/","headers":{"Host":"elsewhere"}}' -o /dev/null
            """));

        var id = (await server.SubmitAsync(key, new { template = "rt.egress" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), logs);
        Assert.Contains("\"status\":200", logs, StringComparison.Ordinal);
        Assert.Contains("\"body\":\"hello from the listener\"", logs, StringComparison.Ordinal);
        Assert.Contains("\n 403\n 400\n", logs, StringComparison.Ordinal); // egress_denied, then the platform-owned header refused
        Assert.Equal(1, listener.Accepted);
        Assert.Contains("X-Job: 1\r\n", Assert.Single(listener.Requests), StringComparison.Ordinal);
        Assert.Equal(1, await AuditCountAsync(server, "success"));
        Assert.Equal(1, await AuditCountAsync(server, "denied"));
    }

    [Fact] // SEC-4, AUD-1: a secret in the URL's path (a webhook) reaches the listener, but the audit entry holds it redacted
    public async Task A_secret_in_the_url_path_is_redacted_from_the_egress_audit_entry()
    {
        await using var listener = LoopbackListener.Start(_ => LoopbackListener.Ok("ok"));
        await using var server = await StartAsync(listener);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        var pathSecret = "wh" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        WriteSecret("acme", "hook_token", pathSecret);
        await server.ApplyTemplateAsync($$$"""
            key: rt.webhook
            kind: script
            command: ["/bin/sh", "-c", {{{System.Text.Json.JsonSerializer.Serialize(
                Rt + $"rt POST /runtime/v1/http --data \"{{\\\"method\\\":\\\"GET\\\",\\\"url\\\":\\\"http://127.0.0.1:{listener.Port}/hooks/$HOOK_TOKEN\\\"}}\"")}}}]
            network: egress
            secrets: [hook_token]
            limits: { timeout_seconds: 30 }
            retry: { max_attempts: 1, backoff_seconds: 0, max_backoff_seconds: 0 }
            """);

        var id = (await server.SubmitAsync(key, new { template = "rt.webhook" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), logs);
        Assert.StartsWith($"GET /hooks/{pathSecret} HTTP/1.1\r\n", Assert.Single(listener.Requests), StringComparison.Ordinal);
        Assert.Equal(1, await RuntimeApiClient.CountAsync(server.Options.DatabasePath,
            "SELECT count(*) FROM audit_log WHERE action = 'egress.request' AND outcome = 'success' AND target = @t",
            ("@t", $"http://127.0.0.1:{listener.Port}/hooks/[REDACTED]")));
        foreach (var file in Directory.GetFiles(server.Options.DataDir, "bulwark.db*"))
        {
            Assert.DoesNotContain(pathSecret, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }
    }

    [Fact] // BOX-3: network: none (the default) has no way out, not even through the runtime API
    public async Task Script_job_with_network_none_is_refused_egress_not_allowed_and_sends_nothing()
    {
        await using var listener = LoopbackListener.Start(_ => LoopbackListener.Ok("reached"));
        await using var server = await StartAsync(listener);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(ScriptTemplate("rt.closed", "none", Rt + $$"""
            rt POST /runtime/v1/http --data '{"method":"GET","url":"http://127.0.0.1:{{listener.Port}}/"}'
            """));

        var id = (await server.SubmitAsync(key, new { template = "rt.closed" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), logs);
        Assert.Contains("egress_not_allowed", logs, StringComparison.Ordinal);
        Assert.Contains(" 403\n", logs, StringComparison.Ordinal);
        Assert.Equal(0, listener.Accepted);
        Assert.Equal(0, await RuntimeApiClient.CountAsync(server.Options.DatabasePath, "SELECT count(*) FROM audit_log WHERE action = 'egress.request'"));
    }

    private void AssertNowhere(string where, string text)
    {
        foreach (var form in new[] { _secret, Convert.ToBase64String(Encoding.UTF8.GetBytes(_secret)), Uri.EscapeDataString(_secret) })
        {
            Assert.False(text.Contains(form, StringComparison.Ordinal), $"{where} holds the secret (form '{form}'): {text}");
        }
    }
}
