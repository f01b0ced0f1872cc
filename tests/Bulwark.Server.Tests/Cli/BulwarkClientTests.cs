using System.Net;
using Bulwark.Client;

namespace Bulwark.Server.Tests.Cli;

/// <summary>The .NET client the CLI uses: wire format (snake_case) and error mapping (problem+json).</summary>
public sealed class BulwarkClientTests
{
    private const string QueuedJob = """
        {"id":"job_1","template":"demo.echo","template_version":2,"state":"queued","attempts":0,"max_attempts":3,
         "priority":5,"inputs":{"name":"world"},"result":null,"error":null,"error_code":null,
         "created_at":"2025-01-02T03:04:05Z","run_at":"2025-01-02T03:04:05Z","started_at":null,"finished_at":null,"cancel_requested":false}
        """;

    private static (BulwarkClient Client, StubHandler Handler) Stub(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        var handler = new StubHandler(answer);
        var http = new HttpClient(handler) { BaseAddress = new Uri("http://bulwark.test/") };
        return (new BulwarkClient(http), handler);
    }

    [Fact]
    public async Task Submit_sends_snake_case_and_tells_a_new_job_from_an_existing_one_JOB_5()
    {
        var status = HttpStatusCode.Accepted;
        var (client, handler) = Stub(_ => StubHandler.Json(status, QueuedJob));
        var request = new SubmitJobRequest
        {
            Template = "demo.echo",
            Inputs = new() { ["name"] = "world" },
            IdempotencyKey = "k1",
            MaxAttempts = 3,
        };

        var created = await client.SubmitJobAsync(request);
        status = HttpStatusCode.OK;
        var existing = await client.SubmitJobAsync(request);

        Assert.Equal(SubmitOutcome.Created, created.Outcome);
        Assert.Equal(SubmitOutcome.Existing, existing.Outcome);
        var job = created.Job!;
        Assert.Equal(("job_1", "demo.echo", 2, "queued", 3, 5), (job.Id, job.Template, job.TemplateVersion, job.State, job.MaxAttempts, job.Priority));
        Assert.Equal("world", job.Inputs!.Value.GetProperty("name").GetString());
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), job.CreatedAt);
        var (method, path, body, _) = handler.Requests[0];
        Assert.Equal((HttpMethod.Post, "/v1/jobs"), (method, path));
        Assert.Equal("""{"template":"demo.echo","inputs":{"name":"world"},"idempotency_key":"k1","max_attempts":3}""", body);
    }

    [Fact]
    public async Task Submit_reports_a_dry_run_without_a_job_JOB_8()
    {
        var (client, _) = Stub(_ => StubHandler.Json(HttpStatusCode.OK, """{"dry_run":true,"template":"demo.echo"}"""));

        var result = await client.SubmitJobAsync(new SubmitJobRequest { Template = "demo.echo", DryRun = true });

        Assert.Equal(SubmitOutcome.DryRun, result.Outcome);
        Assert.Null(result.Job);
        Assert.Equal("demo.echo", result.Body.GetProperty("template").GetString());
    }

    [Fact]
    public async Task A_problem_answer_becomes_an_exception_whose_message_is_the_detail()
    {
        var (client, _) = Stub(_ => StubHandler.Json(
            HttpStatusCode.Forbidden,
            """{"type":"about:blank","title":"Forbidden","status":403,"detail":"The key lacks the scope 'demo:run'.","code":"forbidden"}""",
            "application/problem+json"));

        var error = await Assert.ThrowsAsync<BulwarkApiException>(() => client.GetJobAsync("job_1"));

        Assert.Equal((403, "forbidden", "Forbidden", "The key lacks the scope 'demo:run'."), (error.Status, error.Code, error.Title, error.Detail));
        Assert.Equal("The key lacks the scope 'demo:run'.", error.Message);
    }

    [Fact]
    public async Task An_error_answer_that_is_not_a_problem_gets_an_http_status_code()
    {
        var (client, _) = Stub(_ => StubHandler.Json(HttpStatusCode.BadGateway, "<html>bad gateway</html>", "text/html"));

        var error = await Assert.ThrowsAsync<BulwarkApiException>(() => client.WhoAmIAsync());

        Assert.Equal((502, "http_502"), (error.Status, error.Code));
        Assert.DoesNotContain('\n', error.Message);
        Assert.EndsWith(".", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_jobs_sends_its_filters_escaped_and_reads_the_next_cursor()
    {
        var (client, handler) = Stub(_ => StubHandler.Json(HttpStatusCode.OK, $$"""{"jobs":[{{QueuedJob}}],"next_cursor":"job_0"}"""));

        var page = await client.ListJobsAsync(state: "queued", template: "demo.echo", limit: 10, cursor: "a/b");

        Assert.Equal("/v1/jobs?state=queued&template=demo.echo&limit=10&cursor=a%2Fb", handler.Requests[0].PathAndQuery);
        Assert.Equal("job_1", Assert.Single(page.Jobs).Id);
        Assert.Equal("job_0", page.NextCursor);
    }

    [Fact]
    public async Task Job_ids_are_escaped_so_they_cannot_reach_another_route_NET_2()
    {
        var (client, handler) = Stub(_ => StubHandler.Json(HttpStatusCode.OK, "hello\n", "text/plain"));

        var logs = await client.GetLogsAsync("../templates");

        Assert.Equal("hello\n", logs);
        Assert.Equal("/v1/jobs/..%2Ftemplates/logs", handler.Requests[0].PathAndQuery);
    }

    [Fact]
    public async Task Whoami_cancel_and_templates_read_their_snake_case_answers()
    {
        var (client, handler) = Stub(request => request.RequestUri!.AbsolutePath switch
        {
            "/v1/whoami" => StubHandler.Json(HttpStatusCode.OK, """{"tenant":"acme","subject":"key_1","auth_method":"api_key","roles":[],"scopes":["jobs:read"]}"""),
            "/v1/jobs/job_1/cancel" => StubHandler.Json(HttpStatusCode.OK, QueuedJob.Replace("\"queued\"", "\"cancelled\"", StringComparison.Ordinal)),
            "/v1/templates" => StubHandler.Json(HttpStatusCode.OK, """[{"key":"demo.echo","version":2,"kind":"script","created_at":"2025-01-02T03:04:05Z","required_scope":"demo:run"}]"""),
            _ => StubHandler.Json(HttpStatusCode.OK, """{"key":"demo.echo","version":3}"""),
        });

        var me = await client.WhoAmIAsync();
        var cancelled = await client.CancelJobAsync("job_1");
        var templates = await client.ListTemplatesAsync();
        var put = await client.PutTemplateAsync("demo.echo", """{"key":"demo.echo","kind":"script","command":["/bin/true"]}""");

        Assert.Equal(("acme", "key_1", "api_key"), (me.Tenant, me.Subject, me.AuthMethod));
        Assert.Equal(["jobs:read"], me.Scopes);
        Assert.Equal("cancelled", cancelled.State);
        Assert.True(cancelled.IsFinished);
        var template = Assert.Single(templates);
        Assert.Equal(("demo.echo", 2, "script"), (template.Key, template.Version, template.Kind));
        Assert.Equal("demo:run", template.Other!["required_scope"].GetString());
        Assert.Equal(3, put.Version);
        Assert.Equal((HttpMethod.Put, "/v1/templates/demo.echo"), (handler.Requests[^1].Method, handler.Requests[^1].PathAndQuery));
    }

    [Fact]
    public void Create_keeps_a_path_prefix_and_refuses_an_empty_key_AUTH_2()
    {
        var client = BulwarkClient.Create(new Uri("http://bulwark.test/prefix"), "bwk_secret");

        Assert.Equal(new Uri("http://bulwark.test/prefix/"), client.BaseAddress);
        Assert.Throws<ArgumentException>(() => BulwarkClient.Create(new Uri("http://bulwark.test/"), " "));
    }
}
