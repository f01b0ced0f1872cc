using System.Net;
using System.Text.Json;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Logs;

/// <summary>
/// Live logs over server-sent events (JOB-6) on a real server: lines reach the follower while
/// the job still runs, the stream ends with the job, resumes after Last-Event-ID, and is refused
/// — before anything is streamed — to another tenant, to a key without the scope and to a sixth
/// concurrent stream of one identity (seed 003).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LogStreamTests
{
    // rt METHOD PATH [curl args…]: one runtime call through the job's socket (its log lines are stored at once, unlike stdout).
    private const string Rt = """
        rt() { m=$1; p=$2; shift 2; curl -sS --unix-socket "$BULWARK_RUNTIME_SOCKET" -X "$m" -H "Authorization: Bearer $BULWARK_TASK_TOKEN" -H 'Content-Type: application/json' -o /dev/null "http://runtime$p" "$@"; }

        """;

    // Logs two lines, then runs until cancelled (bounded by its own loop and the template timeout).
    private static readonly string Talker = TemplateFiles.Script("logs.talker", Rt + """
        rt POST /runtime/v1/log --data '{"message":"one"}'
        sleep 0.2
        rt POST /runtime/v1/log --data '{"message":"two"}'
        i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
        """, timeoutSeconds: 90);

    private static readonly string Quick = TemplateFiles.Script("logs.quick", Rt + """
        rt POST /runtime/v1/log --data '{"message":"one"}'
        rt POST /runtime/v1/log --data '{"message":"two"}'
        echo done
        """);

    [Fact] // JOB-6: lines arrive while the job runs; the end event carries the final state
    public async Task Follower_receives_lines_while_the_job_runs_and_an_end_event_when_it_ends()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(Talker);
        var id = (await server.SubmitAsync(key, new { template = "logs.talker" })).GetProperty("id").GetString()!;

        using var stream = await EventStream.OpenAsync(server.Http, id, key);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);

        var first = await stream.NextAsync();
        Assert.NotNull(first);
        // Checked by the job's state, not by a clock: the job has not ended when its first line is here.
        Assert.Equal("running", (await server.GetJobAsync(key, id)).GetProperty("state").GetString());
        AssertLog(first, "1", 1, "runtime", "[info] one\n");
        AssertLog(await stream.NextAsync(), "2", 1, "runtime", "[info] two\n");
        Assert.Equal("running", (await server.GetJobAsync(key, id)).GetProperty("state").GetString());

        using (var cancel = await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{id}/cancel", key))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }

        var rest = await stream.ReadToEndAsync();
        Assert.All(rest[..^1], e => Assert.Equal("log", e.Event));
        Assert.Equal("""{"state":"cancelled"}""", rest[^1].Data);
        Assert.Null(rest[^1].Id);
    }

    [Fact] // JOB-6: a finished job's stream is its whole log then the end; Last-Event-ID resumes after that event
    public async Task Stream_of_a_finished_job_is_its_whole_log_and_resumes_after_the_last_event_id()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(Quick);
        var id = (await server.SubmitAsync(key, new { template = "logs.quick" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");

        List<WireEvent> all;
        using (var stream = await EventStream.OpenAsync(server.Http, id, key))
        {
            all = await stream.ReadToEndAsync();
        }

        Assert.Equal(["1", "2", "3", null], all.Select(e => e.Id));
        AssertLog(all[0], "1", 1, "runtime", "[info] one\n");
        AssertLog(all[1], "2", 1, "runtime", "[info] two\n");
        AssertLog(all[2], "3", 1, "stdout", "done\n");
        Assert.Equal("end", all[3].Event);
        Assert.Equal("""{"state":"succeeded"}""", all[3].Data);

        using (var resumed = await EventStream.OpenAsync(server.Http, id, key, lastEventId: "2"))
        {
            var rest = await resumed.ReadToEndAsync();
            Assert.Equal([all[2], all[3]], rest);
        }

        using (var caughtUp = await EventStream.OpenAsync(server.Http, id, key, lastEventId: "3"))
        {
            Assert.Equal([all[3]], await caughtUp.ReadToEndAsync());
        }

        // Without follow the route still answers the text form.
        Assert.Contains("[info] two\n", await server.LogsAsync(key, id), StringComparison.Ordinal);
    }

    [Fact] // JOB-6, TEN-1, AUTHZ-1: another tenant's job and a key without jobs:read get a problem, never a stream
    public async Task Foreign_tenant_and_missing_scope_are_refused_before_any_stream_starts()
    {
        await using var server = await ServerFixture.StartAsync();
        var owner = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        var stranger = await server.NewTenantKeyAsync("globex", "jobs:read", "jobs:write");
        var writeOnly = await server.NewKeyAsync("acme", "jobs:write");
        await server.ApplyTemplateAsync(Quick);
        var id = (await server.SubmitAsync(owner, new { template = "logs.quick" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(owner, id, "succeeded", "failed", "dead");

        using (var foreign = await EventStream.OpenAsync(server.Http, id, stranger))
        {
            var problem = await Problem.AssertAsync(foreign.Response, HttpStatusCode.NotFound, "not_found");
            // The same answer as for an id that does not exist.
            using var missing = await EventStream.OpenAsync(server.Http, "job_does_not_exist", stranger);
            var missingProblem = await Problem.AssertAsync(missing.Response, HttpStatusCode.NotFound, "not_found");
            Assert.Equal(
                problem.GetProperty("detail").GetString()!.Replace(id, "ID", StringComparison.Ordinal),
                missingProblem.GetProperty("detail").GetString()!.Replace("job_does_not_exist", "ID", StringComparison.Ordinal));
        }

        using (var unscoped = await EventStream.OpenAsync(server.Http, id, writeOnly))
        {
            await Problem.AssertAsync(unscoped.Response, HttpStatusCode.Forbidden, "forbidden");
        }

        using (var bad = await EventStream.OpenAsync(server.Http, id, owner, lastEventId: "not-a-number"))
        {
            await Problem.AssertAsync(bad.Response, HttpStatusCode.BadRequest, "invalid_payload");
        }
    }

    [Fact] // JOB-6, seed 003: at most 5 concurrent streams per identity; a closed stream frees its slot
    public async Task Sixth_concurrent_stream_of_one_identity_is_refused_until_one_closes()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        var otherKey = await server.NewKeyAsync("acme", "jobs:read");
        await server.ApplyTemplateAsync(Talker);
        var id = (await server.SubmitAsync(key, new { template = "logs.talker" })).GetProperty("id").GetString()!;

        var open = new List<EventStream>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var stream = await EventStream.OpenAsync(server.Http, id, key);
                open.Add(stream);
                Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
                Assert.Equal("log", (await stream.NextAsync())?.Event);
            }

            using (var sixth = await EventStream.OpenAsync(server.Http, id, key))
            {
                var problem = await Problem.AssertAsync(sixth.Response, (HttpStatusCode)429, "too_many_streams");
                Assert.Equal(TimeSpan.FromSeconds(5), sixth.Response.Headers.RetryAfter?.Delta);
                Assert.DoesNotContain("event:", problem.GetRawText(), StringComparison.Ordinal);
            }

            // Another identity of the same tenant has its own five.
            using (var other = await EventStream.OpenAsync(server.Http, id, otherKey))
            {
                Assert.Equal(HttpStatusCode.OK, other.Response.StatusCode);
            }

            open[0].Dispose();
            open.RemoveAt(0);

            // The server sees the close when the connection drops; until then it may still refuse.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            EventStream? replacement = null;
            while (replacement is null)
            {
                var attempt = await EventStream.OpenAsync(server.Http, id, key);
                if (attempt.Response.StatusCode == HttpStatusCode.OK)
                {
                    replacement = attempt;
                    break;
                }

                await Problem.AssertAsync(attempt.Response, (HttpStatusCode)429, "too_many_streams");
                attempt.Dispose();
                Assert.True(DateTime.UtcNow < deadline, "a closed stream never freed its slot");
                await Task.Delay(100);
            }

            open.Add(replacement);
            Assert.Equal("log", (await replacement.NextAsync())?.Event);
        }
        finally
        {
            open.ForEach(s => s.Dispose());
            using var cancel = await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{id}/cancel", key);
        }
    }

    [Fact] // JOB-6: a stopping server ends its streams (without an end event) instead of waiting for their jobs
    public async Task Server_shutdown_ends_an_open_stream()
    {
        var server = await ServerFixture.StartAsync();
        EventStream stream;
        try
        {
            var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
            await server.ApplyTemplateAsync(Talker);
            var id = (await server.SubmitAsync(key, new { template = "logs.talker" })).GetProperty("id").GetString()!;
            stream = await EventStream.OpenAsync(server.Http, id, key);
            Assert.Equal("log", (await stream.NextAsync())?.Event);
        }
        finally
        {
            await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        }

        using (stream)
        {
            var rest = new List<WireEvent>();
            try
            {
                while (await stream.NextAsync() is { } next)
                {
                    rest.Add(next);
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // The connection may close under the read rather than complete: the stream ended either way.
            }

            Assert.DoesNotContain(rest, e => e.Event == "end");
        }
    }

    private static void AssertLog(WireEvent? e, string id, int attempt, string stream, string text)
    {
        Assert.NotNull(e);
        Assert.Equal("log", e.Event);
        Assert.Equal(id, e.Id);
        using var data = JsonDocument.Parse(e.Data);
        Assert.Equal(attempt, data.RootElement.GetProperty("attempt").GetInt32());
        Assert.Equal(stream, data.RootElement.GetProperty("stream").GetString());
        Assert.Equal(text, data.RootElement.GetProperty("text").GetString());
        Assert.True(data.RootElement.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
    }
}
