using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Tests.Cli;

/// <summary><c>bulwark submit</c> over HTTP against a stub of the user API.</summary>
public sealed class SubmitCommandTests : IDisposable
{
    private const string ApiKey = "bwk_0123456789abcdef_secretsecretsecretsecretsecretsecret";

    private readonly CliHarness _cli = new();

    public SubmitCommandTests() => _cli.Environment["BULWARK_API_KEY"] = ApiKey;

    public void Dispose() => _cli.Dispose();

    private static JsonObject Job(string state, string? error = null) => new()
    {
        ["id"] = "job_1",
        ["template"] = "demo.echo",
        ["template_version"] = 1,
        ["state"] = state,
        ["attempts"] = state == "queued" ? 0 : 1,
        ["max_attempts"] = 1,
        ["inputs"] = new JsonObject { ["name"] = "world" },
        ["error"] = error,
        ["created_at"] = "2025-01-02T03:04:05Z",
    };

    private static string LogEvent(long id, int attempt, string stream, string text) =>
        $"id: {id}\nevent: log\ndata: {new JsonObject { ["attempt"] = attempt, ["stream"] = stream, ["text"] = text, ["at"] = "2025-01-02T03:04:06Z" }.ToJsonString()}\n\n";

    private static string EndEvent(string state) => $"event: end\ndata: {{\"state\":\"{state}\"}}\n\n";

    private static async Task WriteEventsAsync(HttpContext http, string events)
    {
        http.Response.ContentType = "text/event-stream";
        await http.Response.WriteAsync(events);
    }

    /// <summary>A job whose log stream (JOB-6) sends two entries and a keepalive, then ends in <paramref name="end"/>.</summary>
    private static Task<StubApi> JobThatEndsAsync(string end, string? error, List<string> seen) => StubApi.StartAsync(app =>
    {
        app.MapPost("/v1/jobs", async (HttpRequest request) =>
        {
            seen.Add(request.Headers.Authorization.ToString());
            seen.Add(await new StreamReader(request.Body).ReadToEndAsync());
            return Results.Json(Job("queued"), statusCode: StatusCodes.Status202Accepted);
        });
        app.MapGet("/v1/jobs/job_1", () => Results.Json(Job(end, error)));
        app.MapGet("/v1/jobs/job_1/logs", (HttpContext http) =>
        {
            seen.Add($"logs follow={http.Request.Query["follow"]} accept={http.Request.Headers.Accept}");
            return WriteEventsAsync(http, LogEvent(1, 1, "runtime", "[info] starting\n") + ": keepalive\n\n"
                + LogEvent(2, 1, "stdout", "hello world") + EndEvent(end));
        });
    });

    [Fact]
    public async Task Submit_wait_prints_the_id_then_the_logs_and_exits_0_when_the_job_succeeds_JOB_6()
    {
        var seen = new List<string>();
        await using var api = await JobThatEndsAsync("succeeded", null, seen);
        _cli.Environment["BULWARK_URL"] = api.Url;

        var run = await _cli.RunAsync("submit", "demo.echo", "--input", "name=world", "--input", "count=2", "--wait");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(
            ["job_1 queued", "--- attempt 1 runtime ---", "[info] starting", "--- attempt 1 stdout ---", "hello world"],
            run.StdoutLines);
        Assert.Empty(run.Stderr);
        Assert.Equal($"Bearer {ApiKey}", seen[0]);
        var body = JsonNode.Parse(seen[1])!.AsObject();
        Assert.Equal("demo.echo", (string?)body["template"]);
        Assert.Equal("""{"name":"world","count":2}""", body["inputs"]!.ToJsonString());
        Assert.Equal("logs follow=true accept=text/event-stream", seen[2]);
    }

    [Fact] // JOB-6: a stream the server closes before the end event is resumed after the last entry printed
    public async Task Submit_wait_resumes_a_stream_closed_early_after_the_last_event_id_and_prints_each_line_once()
    {
        var resumes = new List<string>();
        await using var api = await StubApi.StartAsync(app =>
        {
            app.MapPost("/v1/jobs", () => Results.Json(Job("queued"), statusCode: StatusCodes.Status202Accepted));
            app.MapGet("/v1/jobs/job_1", () => Results.Json(Job("succeeded")));
            app.MapGet("/v1/jobs/job_1/logs", (HttpContext http) =>
            {
                var last = http.Request.Headers["Last-Event-ID"].ToString();
                resumes.Add(last);
                return last == ""
                    ? WriteEventsAsync(http, LogEvent(1, 1, "stdout", "first\n"))
                    : WriteEventsAsync(http, LogEvent(2, 1, "stdout", "second\n") + EndEvent("succeeded"));
            });
        });
        _cli.Environment["BULWARK_URL"] = api.Url;

        var run = await _cli.RunAsync("submit", "demo.echo", "--wait");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["job_1 queued", "--- attempt 1 stdout ---", "first", "second"], run.StdoutLines);
        Assert.Equal(["", "1"], resumes);
    }

    [Fact]
    public async Task Submit_wait_exits_1_and_names_the_outcome_when_the_job_fails_JOB_4()
    {
        await using var api = await JobThatEndsAsync("failed", "exit code 3", []);
        _cli.Environment["BULWARK_URL"] = api.Url;

        var run = await _cli.RunAsync("submit", "demo.echo", "--wait");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            ["job_1 queued", "--- attempt 1 runtime ---", "[info] starting", "--- attempt 1 stdout ---", "hello world"],
            run.StdoutLines);
        Assert.Equal(["Job job_1 ended failed: exit code 3"], run.StderrLines);
    }

    [Fact]
    public async Task Submit_without_wait_prints_the_id_and_state_and_sends_every_option_JOB_5()
    {
        var seen = new List<string>();
        await using var api = await JobThatEndsAsync("succeeded", null, seen);
        _cli.Environment["BULWARK_URL"] = api.Url;

        var run = await _cli.RunAsync(
            "submit", "demo.echo", "--inputs-json", """{"name":"json","n":1}""", "--input", "name=flag",
            "--priority", "7", "--idempotency-key", "nightly-1", "--max-attempts", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["job_1 queued"], run.StdoutLines);
        Assert.Equal(
            """{"template":"demo.echo","inputs":{"name":"flag","n":1},"idempotency_key":"nightly-1","priority":7,"max_attempts":2}""",
            seen[1]);
    }

    [Fact]
    public async Task Submit_prints_the_server_refusal_as_one_sentence_AUTHZ_1()
    {
        await using var api = await StubApi.StartAsync(app => app.MapPost("/v1/jobs", () => Results.Json(
            new { type = "about:blank", title = "Forbidden", status = 403, detail = "The key lacks the scope 'demo:run'.", code = "forbidden" },
            statusCode: 403,
            contentType: "application/problem+json")));
        _cli.Environment["BULWARK_URL"] = api.Url;

        var run = await _cli.RunAsync("submit", "demo.echo");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Equal(["The key lacks the scope 'demo:run'."], run.StderrLines);
    }

    [Fact]
    public async Task Submit_dry_run_creates_nothing_and_says_so_JOB_8()
    {
        await using var api = await StubApi.StartAsync(app => app.MapPost("/v1/jobs", () => Results.Json(new { dry_run = true, template = "demo.echo" })));
        _cli.Environment["BULWARK_URL"] = api.Url;

        var run = await _cli.RunAsync("submit", "demo.echo", "--dry-run", "--wait");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("Dry run passed", Assert.Single(run.StdoutLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_fails_with_one_sentence_when_no_api_key_is_set_AUTH_2()
    {
        _cli.Environment.Remove("BULWARK_API_KEY");

        var run = await _cli.RunAsync("submit", "demo.echo");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("BULWARK_API_KEY", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_fails_with_one_sentence_when_the_server_cannot_be_reached()
    {
        // A port that was free a moment ago: nothing listens there.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
        probe.Stop();
        _cli.Environment["BULWARK_URL"] = url;

        var run = await _cli.RunAsync("submit", "demo.echo");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal([$"Could not reach the Bulwark server at {url}."], run.StderrLines);
    }
}
