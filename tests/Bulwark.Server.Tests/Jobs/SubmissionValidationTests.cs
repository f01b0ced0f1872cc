using System.Net;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Jobs;

/// <summary>Rule 4 and NET-2: bad input gets a clear problem+json with a stable code, and changes nothing.</summary>
public sealed class SubmissionValidationTests
{
    public static TheoryData<string, HttpStatusCode, string> BadSubmissions => new()
    {
        { "{\"template\": \"demo.echo\", ", HttpStatusCode.BadRequest, "invalid_payload" },                          // broken JSON
        { "[1, 2]", HttpStatusCode.BadRequest, "invalid_payload" },                                                  // not an object
        { "{\"template\": \"demo.echo\", \"inputs\": {\"name\": 5}}", HttpStatusCode.BadRequest, "invalid_payload" }, // schema: type
        { "{\"template\": \"demo.echo\", \"inputs\": {\"name\": \"" + new string('x', 65) + "\"}}", HttpStatusCode.BadRequest, "invalid_payload" }, // schema: maxLength
        { "{\"template\": \"demo.echo\", \"inputs\": {\"other\": 1}}", HttpStatusCode.BadRequest, "invalid_payload" }, // schema: additionalProperties
        { "{\"template\": \"no.such.template\"}", HttpStatusCode.BadRequest, "unknown_template" },
        { "{\"template\": \"../etc/passwd\"}", HttpStatusCode.BadRequest, "invalid_payload" },                       // identifier rule
        { "{\"template\": \"demo.echo\", \"templat\": \"x\"}", HttpStatusCode.BadRequest, "invalid_payload" },        // unknown field
        { "{\"template\": \"demo.echo\", \"template\": \"demo.echo\"}", HttpStatusCode.BadRequest, "invalid_payload" }, // duplicate key
        { "{\"template\": \"demo.echo\", \"max_attempts\": 0}", HttpStatusCode.BadRequest, "invalid_payload" },
        { "{\"template\": \"demo.echo\", \"run_at\": \"tomorrow\"}", HttpStatusCode.BadRequest, "invalid_payload" },
        { "{\"template\": \"demo.echo\", \"idempotency_key\": \"a b\"}", HttpStatusCode.BadRequest, "invalid_payload" },
        { "{\"template\": \"demo.echo\", \"inputs\": " + new string('[', 11) + new string(']', 11) + "}", HttpStatusCode.BadRequest, "invalid_payload" }, // depth
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task Bad_submission_is_refused_with_a_code_and_stores_nothing(string body, HttpStatusCode status, string code)
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, body);
        await Problem.AssertAsync(response, status, code);

        await AssertNoJobsAsync(server, "acme");
    }

    [Fact] // NET-2: body size cap (1 MB)
    public async Task Body_over_one_megabyte_is_refused_with_413_and_stores_nothing()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);

        var body = "{\"template\": \"demo.echo\", \"inputs\": {\"name\": \"" + new string('x', 1024 * 1024 + 10) + "\"}}";
        using var response = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, body);
        await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        await AssertNoJobsAsync(server, "acme");
    }

    [Fact] // JOB-5: the same idempotency key returns the first job; a different request with it is a conflict
    public async Task Idempotency_key_returns_the_first_job_and_refuses_a_different_request()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);
        var body = new { template = "demo.echo", inputs = new { name = "once" }, idempotency_key = "order-42" };

        using var first = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, body);
        using var second = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, body);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var firstId = System.Text.Json.JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var secondId = System.Text.Json.JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        Assert.Equal(firstId, secondId);

        using var different = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key,
            new { template = "demo.echo", inputs = new { name = "twice" }, idempotency_key = "order-42" });
        await Problem.AssertAsync(different, HttpStatusCode.Conflict, "idempotency_key_reused");

        var tenant = (await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!;
        var page = await server.Store.ListJobsAsync(TenantScope.Of(tenant), new JobQuery(), CancellationToken.None);
        Assert.Single(page.Jobs);
    }

    [Fact] // JOB-8: a dry run validates, audits with the dry-run mark, and creates nothing
    public async Task Dry_run_validates_and_creates_no_job()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);

        var answer = await server.SubmitAsync(key, new { template = "demo.echo", inputs = new { name = "x" }, dry_run = true });
        Assert.True(answer.GetProperty("dry_run").GetBoolean());
        await AssertNoJobsAsync(server, "acme");

        var tenant = (await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!;
        var audit = await server.Store.ListAuditAsync(TenantScope.Of(tenant), 50, CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "job.submit" && e.DryRun);

        using var invalid = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, new { template = "demo.echo", inputs = new { name = 1 }, dry_run = true });
        await Problem.AssertAsync(invalid, HttpStatusCode.BadRequest, "invalid_payload");
    }

    [Fact] // FLAG-1, AUTHZ-3: action templates stay off until the operator turns action jobs on
    public async Task Action_template_is_refused_as_feature_disabled_and_stores_nothing()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("ops.apply", "echo applied") + "\naction: true\n");

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, new { template = "ops.apply" });
        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "feature_disabled");
        await AssertNoJobsAsync(server, "acme");
    }

    [Fact] // rule 4: unknown routes answer problem+json too
    public async Task Unknown_route_answers_problem_json_404()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.SendAsync(HttpMethod.Get, "/v1/nothing-here", server.AdminKey);
        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    private static async Task AssertNoJobsAsync(ServerFixture server, string tenantName)
    {
        var tenant = (await server.Store.FindTenantByNameAsync(tenantName, CancellationToken.None))!;
        var scope = TenantScope.Of(tenant);
        var page = await server.Store.ListJobsAsync(scope, new JobQuery(), CancellationToken.None);
        Assert.Empty(page.Jobs);
        var audit = await server.Store.ListAuditAsync(scope, 100, CancellationToken.None);
        Assert.DoesNotContain(audit, e => e.Action == "job.submit" && !e.DryRun);
    }
}
