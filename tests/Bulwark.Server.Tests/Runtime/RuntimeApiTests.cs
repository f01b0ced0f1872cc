using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Runtime;

/// <summary>
/// The runtime API end to end (BOX-3, JOB-7, AUTHZ-5, AUTH-7): a real server, real bubblewrap, job
/// code calling back through the Unix socket mounted into its sandbox with its capability token.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class RuntimeApiTests
{
    // rt METHOD PATH [curl args…]: one runtime call through the socket, printing the body and " <status>".
    private const string Rt = """
        rt() { m=$1; p=$2; shift 2; curl -sS --unix-socket "$BULWARK_RUNTIME_SOCKET" -X "$m" -H "Authorization: Bearer $BULWARK_TASK_TOKEN" -H 'Content-Type: application/json' -w ' %{http_code}\n' "http://runtime$p" "$@"; }

        """;

    // The token leaves the job base64-encoded so a redactor of bearer-shaped text (SEC-4) cannot hide it from the test.
    private const string ShowToken = """
        t=$(printf '%s' "$BULWARK_TASK_TOKEN" | base64 -w0)

        """;

    [Fact] // JOB-7, BOX-3: variables, a log line and a result, through the socket, seen over the user API
    public async Task Job_sets_and_reads_a_variable_logs_a_line_and_puts_a_result_when_calling_through_its_socket()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("rt.all", Rt + """
            echo "socket=$BULWARK_RUNTIME_SOCKET"
            rt PUT /runtime/v1/variables/progress --data '{"step":1}'
            rt GET /runtime/v1/variables/progress
            rt GET /runtime/v1/variables/never_set -o /dev/null
            rt POST /runtime/v1/log --data '{"message":"hello from the runtime","level":"warning"}'
            rt POST /runtime/v1/heartbeat
            rt PUT /runtime/v1/result --data '{"answer":42,"items":["a","b"]}'
            """));

        var id = (await server.SubmitAsync(key, new { template = "rt.all" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), logs);
        Assert.Contains("socket=/run/bulwark/runtime.sock\n", logs, StringComparison.Ordinal);
        // Stdout as one text, whatever entries it was stored in (JOB-6: runtime lines may fall between them).
        Assert.Contains(
            "\n 204\n{\"step\":1} 200\n 404\n 204\n{\"cancel_requested\":false} 200\n 204\n",
            await server.StreamTextAsync(key, id), StringComparison.Ordinal);
        Assert.Contains("--- attempt 1 runtime ---\n[warning] hello from the runtime\n", logs, StringComparison.Ordinal);
        var result = job.GetProperty("result");
        Assert.Equal(0, result.GetProperty("exit_code").GetInt32());
        Assert.Equal("exited", result.GetProperty("termination").GetString());
        Assert.Equal("""{"answer":42,"items":["a","b"]}""", result.GetProperty("output").GetRawText());
    }

    [Fact] // AUTHZ-5, AUTH-7: the token dies with its run, and is never a user API credential
    public async Task Capability_token_is_refused_everywhere_and_writes_nothing_when_its_run_has_ended()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("rt.leak", Rt + ShowToken + """
            echo "token64=$t"
            rt PUT /runtime/v1/variables/seen --data '"yes"'
            """));
        var id = (await server.SubmitAsync(key, new { template = "rt.leak" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logsBefore = await server.LogsAsync(key, id);
        Assert.True("succeeded" == job.GetProperty("state").GetString(), logsBefore);
        Assert.Contains("\n 204\n", logsBefore, StringComparison.Ordinal); // it was live then
        var token = TokenIn(logsBefore);
        var db = server.Options.DatabasePath;
        var refusalsBefore = await RuntimeRefusalsAsync(db);

        using var socket = RuntimeApiClient.OverSocket(server.Options.RuntimeSocketPath);
        foreach (var http in new[] { server.Http, socket })
        {
            using var put = await RuntimeApiClient.SendAsync(http, HttpMethod.Put, "/runtime/v1/variables/late", token, "1");
            await Problem.AssertAsync(put, HttpStatusCode.Unauthorized, "unauthenticated");
            using var get = await RuntimeApiClient.SendAsync(http, HttpMethod.Get, "/runtime/v1/variables/seen", token);
            await Problem.AssertAsync(get, HttpStatusCode.Unauthorized, "unauthenticated");
            using var log = await RuntimeApiClient.SendAsync(http, HttpMethod.Post, "/runtime/v1/log", token, """{"message":"late"}""");
            await Problem.AssertAsync(log, HttpStatusCode.Unauthorized, "unauthenticated");
            using var result = await RuntimeApiClient.SendAsync(http, HttpMethod.Put, "/runtime/v1/result", token, """{"forged":true}""");
            await Problem.AssertAsync(result, HttpStatusCode.Unauthorized, "unauthenticated");
            using var beat = await RuntimeApiClient.SendAsync(http, HttpMethod.Post, "/runtime/v1/heartbeat", token);
            await Problem.AssertAsync(beat, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        // AUTH-7: on the user API the capability token is no credential at all.
        using (var list = await server.SendAsync(HttpMethod.Get, "/v1/jobs", token))
        {
            await Problem.AssertAsync(list, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        using (var whoami = await server.SendAsync(HttpMethod.Get, "/v1/whoami", token))
        {
            await Problem.AssertAsync(whoami, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        using (var submit = await server.SendAsync(HttpMethod.Post, "/v1/jobs", token, new { template = "rt.leak" }))
        {
            await Problem.AssertAsync(submit, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        // Nothing was written: no new variable, log line, result, or job.
        Assert.Equal(0, await RuntimeApiClient.CountAsync(db, "SELECT count(*) FROM job_variables WHERE name = 'late'"));
        Assert.Equal(1, await RuntimeApiClient.CountAsync(db, "SELECT count(*) FROM job_variables WHERE job_id = @j", ("@j", id)));
        Assert.Equal(1, await RuntimeApiClient.CountAsync(db, "SELECT count(*) FROM jobs"));
        Assert.Equal(logsBefore, await server.LogsAsync(key, id));
        Assert.Equal(job.GetProperty("result").GetRawText(), (await server.GetJobAsync(key, id)).GetProperty("result").GetRawText());
        Assert.False(job.GetProperty("result").TryGetProperty("output", out _));
        // AUD-1: every refusal is audited, under the token's tenant.
        Assert.Equal(refusalsBefore + 10, await RuntimeRefusalsAsync(db));
        Assert.Equal(10, await RuntimeApiClient.CountAsync(
            db, "SELECT count(*) FROM audit_log WHERE action = 'runtime.auth.failure' AND actor = @a AND detail_json LIKE '%run_not_live%'",
            ("@a", "task:" + id)));
        Assert.Equal(3, await RuntimeApiClient.CountAsync(
            db, "SELECT count(*) FROM audit_log WHERE action = 'auth.failure' AND detail_json LIKE '%capability_token_on_user_api%'"));
    }

    [Fact] // AUTHZ-5, JOB-7: a live token reaches its own run's data only; a user key is no runtime credential
    public async Task Live_tokens_reach_only_their_own_runs_variables_and_a_user_key_is_refused_on_the_runtime_api()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("rt.wait", Rt + ShowToken + """
            rt PUT /runtime/v1/variables/mine --data "\"$BULWARK_JOB_ID\""
            rt POST /runtime/v1/log --data "{\"message\":\"token64=$t\"}"
            i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
            """, timeoutSeconds: 90));
        var a = (await server.SubmitAsync(key, new { template = "rt.wait" })).GetProperty("id").GetString()!;
        var b = (await server.SubmitAsync(key, new { template = "rt.wait" })).GetProperty("id").GetString()!;
        var tokenA = await LiveTokenAsync(server, key, a);
        var tokenB = await LiveTokenAsync(server, key, b);
        var db = server.Options.DatabasePath;

        // Each token reads its own job's "mine"; nothing in a request can name another job.
        Assert.Equal($"\"{a}\"", await ReadAsync(server.Http, tokenA, "mine", HttpStatusCode.OK));
        Assert.Equal($"\"{b}\"", await ReadAsync(server.Http, tokenB, "mine", HttpStatusCode.OK));
        using (var put = await RuntimeApiClient.SendAsync(server.Http, HttpMethod.Put, "/runtime/v1/variables/only_a", tokenA, """{"v":1}"""))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        await ReadAsync(server.Http, tokenB, "only_a", HttpStatusCode.NotFound);
        Assert.Equal("""{"v":1}""", await ReadAsync(server.Http, tokenA, "only_a", HttpStatusCode.OK));
        Assert.Equal(1, await RuntimeApiClient.CountAsync(db, "SELECT count(*) FROM job_variables WHERE name = 'only_a'"));

        // Heartbeat with a live token answers 200 and the cancel flag.
        using (var beat = await RuntimeApiClient.SendAsync(server.Http, HttpMethod.Post, "/runtime/v1/heartbeat", tokenB))
        {
            Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
            Assert.Equal("""{"cancel_requested":false}""", await beat.Content.ReadAsStringAsync());
        }

        // JOB-7: a value over 64 KiB is refused, and the old value stays.
        var big = "\"" + new string('x', 64 * 1024) + "\"";
        using (var tooBig = await RuntimeApiClient.SendAsync(server.Http, HttpMethod.Put, "/runtime/v1/variables/mine", tokenA, big))
        {
            await Problem.AssertAsync(tooBig, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        }

        Assert.Equal($"\"{a}\"", await ReadAsync(server.Http, tokenA, "mine", HttpStatusCode.OK));

        // AUTH-7: the user API key, however powerful, is not a runtime credential.
        foreach (var userKey in new[] { key, server.AdminKey })
        {
            using var put = await RuntimeApiClient.SendAsync(server.Http, HttpMethod.Put, "/runtime/v1/variables/mine", userKey, "\"hijacked\"");
            await Problem.AssertAsync(put, HttpStatusCode.Unauthorized, "unauthenticated");
            using var log = await RuntimeApiClient.SendAsync(server.Http, HttpMethod.Post, "/runtime/v1/log", userKey, """{"message":"x"}""");
            await Problem.AssertAsync(log, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        Assert.Equal(0, await RuntimeApiClient.CountAsync(db, "SELECT count(*) FROM job_variables WHERE value_json LIKE '%hijacked%'"));
        Assert.Equal(4, await RuntimeApiClient.CountAsync(
            db, "SELECT count(*) FROM audit_log WHERE action = 'runtime.auth.failure' AND detail_json LIKE '%not_a_capability_token%'"));

        // When the runs end, their tokens end with them.
        foreach (var id in new[] { a, b })
        {
            using var cancel = await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{id}/cancel", key);
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            await server.WaitForStateAsync(key, id, "cancelled", "succeeded", "failed", "dead");
        }

        using var after = await RuntimeApiClient.SendAsync(server.Http, HttpMethod.Get, "/runtime/v1/variables/mine", tokenA);
        await Problem.AssertAsync(after, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact] // BOX-3, AUTH-7: job code cannot reach the user API through its socket
    public async Task Job_gets_404_for_every_non_runtime_route_when_calling_through_its_socket()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("rt.escape", Rt + """
            rt GET /v1/jobs -o /dev/null
            rt GET /v1/whoami -o /dev/null
            rt GET /healthz -o /dev/null
            rt POST /v1/jobs --data '{"template":"rt.escape"}' -o /dev/null
            """));

        var id = (await server.SubmitAsync(key, new { template = "rt.escape" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), logs);
        Assert.Contains(" 404\n 404\n 404\n 404\n", await server.StreamTextAsync(key, id), StringComparison.Ordinal);
        Assert.Equal(1, await RuntimeApiClient.CountAsync(server.Options.DatabasePath, "SELECT count(*) FROM jobs"));
    }

    [Fact] // BOX-3, AUTH-7: the gate holds for any client of the socket, even with a user key; the socket is made at start
    public async Task Runtime_socket_answers_404_to_the_user_api_even_with_an_admin_key_and_is_recreated_on_restart()
    {
        await using var server = await ServerFixture.StartAsync();
        var socketPath = server.Options.RuntimeSocketPath;
        Assert.Equal(Path.Combine(server.Options.DataDir, "runtime", "runtime.sock"), socketPath);
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(socketPath)!));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite,
            File.GetUnixFileMode(socketPath));

        await AssertGateAsync(server);
        await server.RestartAsync(); // the old socket file is stale now: removed and bound again
        await AssertGateAsync(server);

        // Over TCP the user API is unaffected.
        using var whoami = await server.SendAsync(HttpMethod.Get, "/v1/whoami", server.AdminKey);
        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
    }

    private static async Task AssertGateAsync(ServerFixture server)
    {
        using var socket = RuntimeApiClient.OverSocket(server.Options.RuntimeSocketPath);
        var jobsBefore = await RuntimeApiClient.CountAsync(server.Options.DatabasePath, "SELECT count(*) FROM jobs");
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/v1/jobs"), (HttpMethod.Get, "/v1/whoami"), (HttpMethod.Get, "/healthz"), (HttpMethod.Get, "/readyz"), (HttpMethod.Post, "/v1/jobs"), (HttpMethod.Get, "/runtime/v2/x") })
        {
            using var response = await RuntimeApiClient.SendAsync(socket, method, path, server.AdminKey, method == HttpMethod.Post ? """{"template":"x"}""" : null);
            await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
        }

        using var runtime = await RuntimeApiClient.SendAsync(socket, HttpMethod.Post, "/runtime/v1/heartbeat", server.AdminKey);
        await Problem.AssertAsync(runtime, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(jobsBefore, await RuntimeApiClient.CountAsync(server.Options.DatabasePath, "SELECT count(*) FROM jobs"));
    }

    private static Task<long> RuntimeRefusalsAsync(string db) =>
        RuntimeApiClient.CountAsync(db, "SELECT count(*) FROM audit_log WHERE action = 'runtime.auth.failure'");

    private static async Task<string> ReadAsync(HttpClient http, string token, string name, HttpStatusCode expected)
    {
        using var response = await RuntimeApiClient.SendAsync(http, HttpMethod.Get, $"/runtime/v1/variables/{name}", token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"GET {name}: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>The token a still-running job posted as a runtime log line (written at once, unlike stdout).</summary>
    private static async Task<string> LiveTokenAsync(ServerFixture server, string key, string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var logs = await server.LogsAsync(key, id);
            if (TokenPattern().IsMatch(logs))
            {
                return TokenIn(logs);
            }

            var state = (await server.GetJobAsync(key, id)).GetProperty("state").GetString();
            Assert.True(state is "queued" or "running" or "scheduled", $"job {id} ended ({state}) before posting its token: {logs}");
            await Task.Delay(100);
        }

        Assert.Fail($"job {id} never posted its token");
        return "";
    }

    private static string TokenIn(string logs) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(TokenPattern().Match(logs).Groups[1].Value));

    [GeneratedRegex("token64=([A-Za-z0-9+/=]+)")]
    private static partial Regex TokenPattern();
}
