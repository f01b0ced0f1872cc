using System.Net;
using System.Text.Json;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Auth;

/// <summary>TEN-1: another tenant's job is 404, never listed, never cancellable, its logs unreadable.</summary>
public sealed class TenantIsolationTests
{
    [Fact]
    public async Task Another_tenants_job_is_invisible_and_untouchable()
    {
        await using var server = await ServerFixture.StartAsync();
        var acme = await server.NewTenantKeyAsync("acme", "*");
        var globex = await server.NewTenantKeyAsync("globex", "*");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);
        var runAt = DateTimeOffset.UtcNow.AddHours(1).ToString("O");
        var id = (await server.SubmitAsync(acme, new { template = "demo.echo", run_at = runAt })).GetProperty("id").GetString()!;

        using var get = await server.SendAsync(HttpMethod.Get, $"/v1/jobs/{id}", globex);
        await Problem.AssertAsync(get, HttpStatusCode.NotFound, "not_found");
        using var logs = await server.SendAsync(HttpMethod.Get, $"/v1/jobs/{id}/logs", globex);
        await Problem.AssertAsync(logs, HttpStatusCode.NotFound, "not_found");
        using var cancel = await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{id}/cancel", globex);
        await Problem.AssertAsync(cancel, HttpStatusCode.NotFound, "not_found");
        using var list = await server.SendAsync(HttpMethod.Get, "/v1/jobs", globex);
        Assert.Empty(JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("jobs").EnumerateArray());

        // The refused cancel changed nothing.
        var job = await server.GetJobAsync(acme, id);
        Assert.Equal("scheduled", job.GetProperty("state").GetString());
        Assert.False(job.GetProperty("cancel_requested").GetBoolean());

        // A missing id and a foreign id answer alike: ids leak nothing.
        using var missing = await server.SendAsync(HttpMethod.Get, "/v1/jobs/job_doesnotexist", globex);
        await Problem.AssertAsync(missing, HttpStatusCode.NotFound, "not_found");
    }

    [Fact] // TEN-1: a tenant's template is not visible to, nor runnable by, another tenant
    public async Task Tenant_template_is_not_runnable_by_another_tenant()
    {
        await using var server = await ServerFixture.StartAsync();
        var acme = await server.NewTenantKeyAsync("acme", "*");
        var globex = await server.NewTenantKeyAsync("globex", "*");
        await server.ApplyTemplateAsync(TemplateFiles.Script("acme.only", "echo mine", tenant: "acme"));

        using var refused = await server.SendAsync(HttpMethod.Post, "/v1/jobs", globex, new { template = "acme.only" });
        await Problem.AssertAsync(refused, HttpStatusCode.BadRequest, "unknown_template");
        var id = (await server.SubmitAsync(acme, new { template = "acme.only" })).GetProperty("id").GetString()!;
        Assert.Equal("succeeded", (await server.WaitForStateAsync(acme, id, "succeeded", "dead")).GetProperty("state").GetString());
    }
}
