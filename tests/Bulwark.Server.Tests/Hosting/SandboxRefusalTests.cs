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
}
