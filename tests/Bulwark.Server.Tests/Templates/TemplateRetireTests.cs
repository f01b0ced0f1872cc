using System.Net;
using System.Text.Json;
using Bulwark.Server.Tests.Events;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Templates;

/// <summary>
/// <c>DELETE /v1/templates/{key}</c> end to end on real servers and real SQLite: JOB-1 (a retired
/// template starts no new work, queued work keeps its version), TEN-1 (only the caller tenant's
/// own template), AUD-1 (<c>template.retire</c> recorded), AUTHZ-1 (<c>templates:admin</c>).
/// </summary>
public sealed class TemplateRetireTests
{
    private const string Key = "acme.hello";

    private static string Body(string key = Key, string command = "/bin/true") =>
        $$"""{"key":"{{key}}","kind":"script","command":["{{command}}"]}""";

    private static async Task<int> PutAsync(ServerFixture server, string admin, string key = Key)
    {
        using var put = await server.SendAsync(HttpMethod.Put, "/v1/templates/" + key, admin, Body(key));
        var text = await put.Content.ReadAsStringAsync();
        Assert.True(put.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("version").GetInt32();
    }

    private static async Task<List<(string Key, int Version)>> ListAsync(ServerFixture server, string key)
    {
        using var response = await server.SendAsync(HttpMethod.Get, "/v1/templates", key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("templates").EnumerateArray()
            .Select(t => (t.GetProperty("key").GetString()!, t.GetProperty("version").GetInt32()))
            .ToList();
    }

    private static async Task<HttpStatusCode> RetireAsync(ServerFixture server, string key, string template = Key)
    {
        using var response = await server.SendAsync(HttpMethod.Delete, "/v1/templates/" + template, key);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            await Problem.AssertAsync(response, response.StatusCode, response.StatusCode switch
            {
                HttpStatusCode.NotFound => "not_found",
                HttpStatusCode.Forbidden => "forbidden",
                _ => "unexpected",
            });
        }

        return response.StatusCode;
    }

    private static async Task<int> RetireAuditCountAsync(ServerFixture server, string tenant) =>
        (await EventServer.AuditAsync(server, tenant)).Count(e => e.Action == "template.retire");

    // JOB-1, AUD-1: after a retire the key is not listed and nothing starts it (jobs, triggers,
    // events answer unknown_template as for a key that never existed; no job row); audited once.
    [Fact]
    public async Task Retired_template_is_not_listed_starts_nothing_and_is_audited_JOB_1_AUD_1()
    {
        await using var server = await EventServer.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read", "jobs:write", "events:write");
        await PutAsync(server, admin);
        using (var trigger = await server.SendAsync(HttpMethod.Put, "/v1/triggers/on-hello", admin,
                   new { template = Key, event_type = "hello.said" }))
        {
            Assert.Equal(HttpStatusCode.Created, trigger.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, await RetireAsync(server, admin));

        Assert.DoesNotContain(await ListAsync(server, admin), t => t.Key == Key);
        using (var submit = await server.SendAsync(HttpMethod.Post, "/v1/jobs", admin, new { template = Key }))
        {
            await Problem.AssertAsync(submit, HttpStatusCode.BadRequest, "unknown_template");
        }

        using (var trigger = await server.SendAsync(HttpMethod.Put, "/v1/triggers/another", admin,
                   new { template = Key, event_type = "hello.said" }))
        {
            await Problem.AssertAsync(trigger, HttpStatusCode.BadRequest, "unknown_template");
        }

        using (var evt = await server.SendAsync(HttpMethod.Post, "/v1/events", admin, new { event_type = "hello.said", payload = new { } }))
        {
            var body = JsonDocument.Parse(await evt.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(HttpStatusCode.Accepted, evt.StatusCode);
            Assert.Empty(body.GetProperty("jobs").EnumerateArray());
            Assert.Equal("unknown_template", Assert.Single(body.GetProperty("not_started").EnumerateArray()).GetProperty("code").GetString());
        }

        Assert.Equal(0, await EventServer.JobRowsAsync(server));
        var retire = Assert.Single(await EventServer.AuditAsync(server, "acme"), e => e.Action == "template.retire");
        Assert.Equal((Key, "success"), (retire.Target, retire.Outcome));

        // Retired already: nothing left to retire, and no second record.
        Assert.Equal(HttpStatusCode.NotFound, await RetireAsync(server, admin));
        Assert.Equal(1, await RetireAuditCountAsync(server, "acme"));
    }

    // TEN-1: a tenant retires only its own template; a global one and another tenant's are 404 and unchanged.
    [Fact]
    public async Task Only_the_callers_own_template_is_retired_TEN_1()
    {
        await using var server = await ServerFixture.StartAsync();
        var acme = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read", "jobs:write");
        var globex = await server.NewTenantKeyAsync("globex", "templates:admin", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("shared.scan", "true"));
        await PutAsync(server, acme);
        await PutAsync(server, globex);
        await PutAsync(server, globex, "globex.only");

        Assert.Equal(HttpStatusCode.NotFound, await RetireAsync(server, acme, "shared.scan"));
        Assert.Equal(HttpStatusCode.NotFound, await RetireAsync(server, acme, "globex.only"));
        Assert.Equal(HttpStatusCode.NoContent, await RetireAsync(server, acme));

        Assert.Equal(["shared.scan"], (await ListAsync(server, acme)).Select(t => t.Key));
        Assert.Equal(
            ["acme.hello", "globex.only", "shared.scan"],
            (await ListAsync(server, globex)).Select(t => t.Key).Order(StringComparer.Ordinal));
        var theirs = await server.SubmitAsync(globex, new { template = Key });
        Assert.Equal("succeeded", (await server.WaitForStateAsync(globex, theirs.GetProperty("id").GetString()!, "succeeded", "failed", "dead"))
            .GetProperty("state").GetString());
        Assert.Equal(1, await RetireAuditCountAsync(server, "acme"));
        Assert.Equal(0, await RetireAuditCountAsync(server, "globex"));
    }

    // JOB-1: a job queued before the retire runs its version; a PUT afterwards makes the key live
    // again with the next version.
    [Fact]
    public async Task Queued_job_still_runs_and_a_later_put_makes_the_key_live_again_JOB_1()
    {
        await using var server = await ServerFixture.StartAsync(o => o.LocalWorkers = false);
        var admin = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read", "jobs:write");
        Assert.Equal(1, await PutAsync(server, admin));
        var queued = (await server.SubmitAsync(admin, new { template = Key })).GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.NoContent, await RetireAsync(server, admin));
        Assert.Equal("queued", (await server.GetJobAsync(admin, queued)).GetProperty("state").GetString());

        Assert.Equal(2, await PutAsync(server, admin));
        Assert.Contains((Key, 2), await ListAsync(server, admin));
        var fresh = (await server.SubmitAsync(admin, new { template = Key })).GetProperty("id").GetString()!;

        server.Options.LocalWorkers = true;
        await server.RestartAsync();
        var first = await server.WaitForStateAsync(admin, queued, "succeeded", "failed", "dead");
        var second = await server.WaitForStateAsync(admin, fresh, "succeeded", "failed", "dead");
        Assert.Equal(("succeeded", 1), (first.GetProperty("state").GetString(), first.GetProperty("template_version").GetInt32()));
        Assert.Equal(("succeeded", 2), (second.GetProperty("state").GetString(), second.GetProperty("template_version").GetInt32()));
    }

    // AUTHZ-1: without templates:admin the retire is 403 and changes nothing.
    [Fact]
    public async Task Without_templates_admin_retire_is_forbidden_and_changes_nothing()
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read");
        var user = await server.NewKeyAsync("acme", "jobs:read", "jobs:write");
        await PutAsync(server, admin);

        Assert.Equal(HttpStatusCode.Forbidden, await RetireAsync(server, user));

        Assert.Contains((Key, 1), await ListAsync(server, user));
        Assert.Equal(0, await RetireAuditCountAsync(server, "acme"));
    }
}
