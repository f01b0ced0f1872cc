using System.Net;
using System.Text.Json;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Hosting;

/// <summary>BOX-5: without a usable sandbox, script jobs are refused and readiness says why.</summary>
public sealed class SandboxRefusalTests
{
    [Fact]
    public async Task Without_bubblewrap_script_jobs_are_refused_and_readyz_says_why()
    {
        await using var server = await ServerFixture.StartAsync(o => o.SandboxBwrapPath = "/nonexistent/bwrap");
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);

        using var ready = await server.SendAsync(HttpMethod.Get, "/readyz", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.False(body.GetProperty("sandbox").GetProperty("usable").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("sandbox").GetProperty("detail").GetString()));

        using var submit = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, new { template = "demo.echo" });
        await Problem.AssertAsync(submit, HttpStatusCode.ServiceUnavailable, "sandbox_unavailable");

        var tenant = (await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!;
        Assert.Empty((await server.Store.ListJobsAsync(TenantScope.Of(tenant), new JobQuery(), CancellationToken.None)).Jobs);
    }

    [Fact] // BOX-5: BULWARK_SANDBOX=none runs unconfined only in dev, and says so loudly at start
    public async Task Sandbox_none_in_dev_warns_loudly_and_reports_mode_none()
    {
        await using var server = await ServerFixture.StartAsync(o => o.Sandbox = "none");
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Echo);

        Assert.Contains("UNCONFINED", server.Console.ToString(), StringComparison.Ordinal);
        using var ready = await server.SendAsync(HttpMethod.Get, "/readyz", null);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("none", body.GetProperty("sandbox").GetProperty("mode").GetString());

        var id = (await server.SubmitAsync(key, new { template = "demo.echo", inputs = new { name = "dev" } })).GetProperty("id").GetString()!;
        Assert.Equal("succeeded", (await server.WaitForStateAsync(key, id, "succeeded", "dead", "failed")).GetProperty("state").GetString());
        Assert.Contains("hello dev", await server.LogsAsync(key, id), StringComparison.Ordinal);
    }

    [Fact] // BOX-5, AUTHZ-4: outside dev the server refuses to start unconfined
    public async Task Sandbox_none_outside_dev_refuses_to_start()
    {
        var error = await Assert.ThrowsAsync<Bulwark.Server.Hosting.BulwarkSettingsException>(
            () => ServerFixture.StartAsync(o => { o.Sandbox = "none"; o.Env = "prod"; }));
        Assert.Contains("BULWARK_ENV=dev", error.Message, StringComparison.Ordinal);
    }
}
