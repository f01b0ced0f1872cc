using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Templates;
using Bulwark.Core.Tokens;
using Bulwark.Server.Hosting;
using Bulwark.Server.Tests.Runtime;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Worker;

/// <summary>
/// The worker API (<c>/worker/v1</c>) called directly (AUTH-7, JOB-3, AUTHZ-4): leases kept by
/// heartbeats and fenced completions, the server deciding the next state, the three credential
/// contexts kept apart, and the API absent without a token.
/// </summary>
public sealed class WorkerApiTests
{
    [Fact] // JOB-3: heartbeats keep a short lease alive past its first expiry
    public async Task Heartbeat_extends_the_lease_when_sent_before_it_expires()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("w.kept", "true", maxAttempts: 3));
        var id = (await server.SubmitAsync(key, new { template = "w.kept" })).GetProperty("id").GetString()!;

        var claimed = await WorkerCalls.ClaimOneAsync(server, leaseSeconds: 3);
        var firstExpiry = claimed.GetProperty("lease_expires_at").GetDateTimeOffset();
        // Over two lease lengths with the reaper running every second: only the heartbeats keep the job.
        for (var i = 0; i < 16; i++)
        {
            await Task.Delay(500);
            using var beat = await WorkerCalls.PostAsync(server, "heartbeat", WorkerCalls.Fence(claimed));
            Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
            Assert.False(JsonDocument.Parse(await beat.Content.ReadAsStringAsync()).RootElement.GetProperty("cancel_requested").GetBoolean());
        }

        Assert.True(DateTimeOffset.UtcNow > firstExpiry + TimeSpan.FromSeconds(4));
        var job = await server.GetJobAsync(key, id);
        Assert.Equal("running", job.GetProperty("state").GetString());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());

        using var done = await WorkerCalls.PostAsync(server, "complete", WorkerCalls.Completion(claimed, "succeeded", "kept alive\n"));
        Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        Assert.Equal("succeeded", (await server.GetJobAsync(key, id)).GetProperty("state").GetString());
        Assert.Contains("kept alive", await server.LogsAsync(key, id), StringComparison.Ordinal);
    }

    [Fact] // JOB-3: a worker whose lease was reaped writes nothing; the next claim's completion counts
    public async Task Stale_completion_is_refused_with_409_and_writes_nothing_when_the_lease_was_reaped()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("w.stale", "true", maxAttempts: 3));
        var id = (await server.SubmitAsync(key, new { template = "w.stale" })).GetProperty("id").GetString()!;

        var stale = await WorkerCalls.ClaimOneAsync(server, leaseSeconds: 2);
        await server.WaitForStateAsync(key, id, "retrying", "queued"); // no heartbeat: the reaper takes it back

        using (var late = await WorkerCalls.PostAsync(server, "complete", WorkerCalls.Completion(stale, "succeeded", "stale output\n")))
        {
            await Problem.AssertAsync(late, HttpStatusCode.Conflict, "lease_lost");
        }

        using (var lateBeat = await WorkerCalls.PostAsync(server, "heartbeat", WorkerCalls.Fence(stale)))
        {
            await Problem.AssertAsync(lateBeat, HttpStatusCode.Conflict, "lease_lost");
        }

        var after = await server.GetJobAsync(key, id);
        Assert.NotEqual("succeeded", after.GetProperty("state").GetString());
        Assert.DoesNotContain("stale output", await server.LogsAsync(key, id), StringComparison.Ordinal);

        var current = await WorkerCalls.ClaimOneAsync(server);
        Assert.Equal(2, current.GetProperty("attempt").GetInt32());
        using (var stillStale = await WorkerCalls.PostAsync(server, "complete", WorkerCalls.Completion(stale, "succeeded", "stale output\n")))
        {
            await Problem.AssertAsync(stillStale, HttpStatusCode.Conflict, "lease_lost");
        }

        using (var done = await WorkerCalls.PostAsync(server, "complete", WorkerCalls.Completion(current, "succeeded", "current output\n")))
        {
            Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        }

        var logs = await server.LogsAsync(key, id);
        Assert.Equal("succeeded", (await server.GetJobAsync(key, id)).GetProperty("state").GetString());
        Assert.Contains("current output", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("stale output", logs, StringComparison.Ordinal);
    }

    [Fact] // AUTH-7, JOB-3: the claim carries the exact template version and inputs the worker must run
    public async Task Claim_returns_the_lease_the_canonical_template_and_the_inputs_when_a_job_is_due()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);
        var id = (await server.SubmitAsync(key, new { template = "demo.echo", inputs = new { name = "remote" } })).GetProperty("id").GetString()!;

        var claimed = await WorkerCalls.ClaimOneAsync(server);
        Assert.Equal(id, claimed.GetProperty("job_id").GetString());
        Assert.Equal(1, claimed.GetProperty("attempt").GetInt32());
        Assert.False(string.IsNullOrEmpty(claimed.GetProperty("lease_token").GetString()));
        Assert.Equal("remote", claimed.GetProperty("inputs").GetProperty("name").GetString());
        var template = TemplateFile.Parse(claimed.GetProperty("template").GetRawText());
        Assert.Equal("demo.echo", template.Key);
        Assert.Equal(["/bin/sh", "-c", "echo hello $NAME"], template.Command);
        Assert.False(claimed.TryGetProperty("capability_token", out _)); // the runtime API is node-local
    }

    [Fact] // JOB-4, JOB-3: the server decides the next state from the outcome; a retryable failure retries, then is dead
    public async Task Server_decides_retry_then_dead_when_a_worker_reports_retryable_failures()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("w.flaky", "exit 3", maxAttempts: 2));
        var id = (await server.SubmitAsync(key, new { template = "w.flaky" })).GetProperty("id").GetString()!;

        var first = await WorkerCalls.ClaimOneAsync(server);
        using (var r = await WorkerCalls.PostAsync(server, "complete", WorkerCalls.Completion(first, "retryable_failure", errorCode: "exit_code")))
        {
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        }

        Assert.Equal("retrying", (await server.GetJobAsync(key, id)).GetProperty("state").GetString());
        var second = await WorkerCalls.ClaimOneAsync(server);
        using (var r = await WorkerCalls.PostAsync(server, "complete", WorkerCalls.Completion(second, "retryable_failure", errorCode: "exit_code")))
        {
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        }

        var dead = await server.GetJobAsync(key, id);
        Assert.Equal("dead", dead.GetProperty("state").GetString());
        Assert.Equal(2, dead.GetProperty("attempts").GetInt32());
        Assert.Equal("exit_code", dead.GetProperty("error_code").GetString());
    }

    [Fact] // JOB-4, BOX-2: "cancelled" counts only after a cancel request; output is cut to output_kb whatever the worker sends
    public async Task Complete_treats_an_unrequested_cancel_as_a_failure_and_cuts_output_to_the_templates_limit()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("w.small", "true", maxAttempts: 1, limits: "limits: { timeout_seconds: 20, output_kb: 1 }"));
        var id = (await server.SubmitAsync(key, new { template = "w.small" })).GetProperty("id").GetString()!;

        var claimed = await WorkerCalls.ClaimOneAsync(server);
        using (var r = await WorkerCalls.PostAsync(server, "complete", WorkerCalls.Completion(claimed, "cancelled", new string('x', 5000))))
        {
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        }

        var job = await server.GetJobAsync(key, id);
        Assert.Equal("dead", job.GetProperty("state").GetString());
        Assert.Equal("worker_cancelled", job.GetProperty("error_code").GetString());
        var logs = await server.LogsAsync(key, id);
        Assert.Contains(new string('x', 1024), logs, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 1025), logs, StringComparison.Ordinal);
    }

    [Fact] // JOB-4, JOB-3: a user's cancel reaches the remote worker through its heartbeat
    public async Task Heartbeat_answers_cancel_requested_when_the_running_job_was_cancelled()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("w.cancel", "sleep 30", maxAttempts: 3));
        var id = (await server.SubmitAsync(key, new { template = "w.cancel" })).GetProperty("id").GetString()!;
        var claimed = await WorkerCalls.ClaimOneAsync(server);

        using (var cancel = await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{id}/cancel", key))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }

        using (var beat = await WorkerCalls.PostAsync(server, "heartbeat", WorkerCalls.Fence(claimed)))
        {
            Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
            Assert.True(JsonDocument.Parse(await beat.Content.ReadAsStringAsync()).RootElement.GetProperty("cancel_requested").GetBoolean());
        }

        using (var done = await WorkerCalls.PostAsync(server, "complete", WorkerCalls.Completion(claimed, "cancelled")))
        {
            Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        }

        Assert.Equal("cancelled", (await server.GetJobAsync(key, id)).GetProperty("state").GetString());
    }

    [Fact] // AUTH-7, AUD-1: the six cross-context pairs are refused, each refusal audited, no body says why
    public async Task Each_credential_is_refused_with_401_when_used_outside_its_own_context()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        var capability = MintCapabilityToken();
        var db = server.Options.DatabasePath;

        // Worker token on the user API and the runtime API.
        await AssertRefusedAsync(await server.SendAsync(HttpMethod.Get, "/v1/jobs", WorkerCalls.Token));
        await AssertRefusedAsync(await server.SendAsync(HttpMethod.Post, "/runtime/v1/heartbeat", WorkerCalls.Token));
        // User API key and capability token on the worker API.
        await AssertRefusedAsync(await WorkerCalls.PostAsync(server, "claim", new { max = 1 }, token: key));
        await AssertRefusedAsync(await WorkerCalls.PostAsync(server, "claim", new { max = 1 }, token: capability));
        // User API key on the runtime API; capability token on the user API.
        await AssertRefusedAsync(await server.SendAsync(HttpMethod.Post, "/runtime/v1/heartbeat", key));
        await AssertRefusedAsync(await server.SendAsync(HttpMethod.Get, "/v1/jobs", capability));
        // And the worker API's own refusals: wrong token, no token, missing or malformed worker id.
        await AssertRefusedAsync(await WorkerCalls.PostAsync(server, "claim", new { max = 1 }, token: WorkerCalls.Token + "x"));
        await AssertRefusedAsync(await WorkerCalls.PostAsync(server, "claim", new { max = 1 }, token: null));
        await AssertRefusedAsync(await WorkerCalls.PostAsync(server, "claim", new { max = 1 }, workerId: null));
        await AssertRefusedAsync(await WorkerCalls.PostAsync(server, "claim", new { max = 1 }, workerId: "bad id/../x"));

        Assert.Equal(1, await Audited(db, "auth.failure", "worker_token_on_user_api"));
        Assert.Equal(2, await Audited(db, "runtime.auth.failure", "not_a_capability_token"));
        Assert.Equal(1, await Audited(db, "worker.auth.failure", "api_key_on_worker_api"));
        Assert.Equal(1, await Audited(db, "worker.auth.failure", "capability_token_on_worker_api"));
        Assert.Equal(1, await Audited(db, "auth.failure", "capability_token_on_user_api"));
        Assert.Equal(1, await Audited(db, "worker.auth.failure", "wrong_worker_token"));
        Assert.Equal(1, await Audited(db, "worker.auth.failure", "no_credential"));
        Assert.Equal(2, await Audited(db, "worker.auth.failure", "bad_worker_id"));
        // Who, what, from where, why: the worker id (when well-formed), the path, the address, the reason.
        Assert.Equal(1, await RuntimeApiClient.CountAsync(db,
            "SELECT count(*) FROM audit_log WHERE action = 'worker.auth.failure' AND actor = 'worker:test-worker' AND target = '/worker/v1/claim' "
            + "AND outcome = 'denied' AND json_extract(detail_json, '$.remote') = '127.0.0.1' AND json_extract(detail_json, '$.reason') = 'wrong_worker_token'"));
        Assert.Equal(0, await RuntimeApiClient.CountAsync(db, "SELECT count(*) FROM jobs"));
    }

    [Fact] // AUTH-7, BOX-3: job code on the runtime socket can never reach the worker API, even with the worker token
    public async Task Worker_api_answers_404_when_reached_through_the_runtime_socket()
    {
        await using var server = await WorkerCalls.StartServerAsync();
        using var socketHttp = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(server.Options.RuntimeSocketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://runtime") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/worker/v1/claim")
        {
            Content = new StringContent("""{"max":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", WorkerCalls.Token);
        request.Headers.Add("X-Worker-Id", "job-code");

        using var response = await socketHttp.SendAsync(request);
        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
        // Over TCP the same request is served: the 404 is the socket gate's.
        using var tcp = await WorkerCalls.PostAsync(server, "claim", new { max = 1 });
        Assert.Equal(HttpStatusCode.OK, tcp.StatusCode);
    }

    [Fact] // AUTH-7: without BULWARK_WORKER_TOKEN there is no worker API at all
    public async Task Worker_api_answers_404_when_no_worker_token_is_configured()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await WorkerCalls.PostAsync(server, "claim", new { max = 1 });
        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact] // AUTHZ-4: a short worker token is refused at start, naming the setting
    public async Task Server_refuses_to_start_when_the_worker_token_is_shorter_than_32_characters()
    {
        var e = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_WORKER_TOKEN"] = new string('k', 31),
        }));
        Assert.Contains("BULWARK_WORKER_TOKEN", e.Message, StringComparison.Ordinal);
        var started = await Assert.ThrowsAsync<BulwarkSettingsException>(() => ServerFixture.StartAsync(o => o.WorkerToken = "short"));
        Assert.Contains("BULWARK_WORKER_TOKEN", started.Message, StringComparison.Ordinal);
        Assert.True(BulwarkConfiguration.Load(new Dictionary<string, string?> { ["BULWARK_WORKER_TOKEN"] = new string('k', 32) }).WorkerToken is { Length: 32 });
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var problem = await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
            // One answer whatever the reason: the body names no credential kind and no reason.
            Assert.Equal("A valid credential is required.", problem.GetProperty("detail").GetString());
        }
    }

    private static Task<long> Audited(string db, string action, string reason) =>
        RuntimeApiClient.CountAsync(db,
            "SELECT count(*) FROM audit_log WHERE action = @a AND json_extract(detail_json, '$.reason') = @r",
            ("@a", action), ("@r", reason));

    // A well-formed capability token (of a key this server does not hold: the context alone must refuse it).
    private static string MintCapabilityToken() =>
        CapabilityToken.Mint(
            CapabilityToken.NewKey(),
            new CapabilityClaims("job-that-never-ran", 1, "acme", DateTimeOffset.UtcNow.AddMinutes(5), CapabilityToken.NewTokenId()));
}
