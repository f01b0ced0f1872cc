using System.Net;
using System.Text.Json;
using Bulwark.Server.Tests.Events;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Triggers;

/// <summary><c>/v1/triggers</c> end to end (JOB-9, AUTHZ-1, TEN-1, AUD-1): what a PUT checks, who may do what.</summary>
public sealed class TriggerApiTests
{
    private const string Nightly = """
        key: ops.nightly
        kind: script
        command: ["/bin/true"]
        inputs_schema: { type: object, properties: { depth: { type: integer } }, additionalProperties: false }
        """;

    private static object CronBody(object? inputs = null, string timeZone = "Europe/Paris", string cron = "0 9 * * *") =>
        new { template = "ops.nightly", cron, time_zone = timeZone, inputs = inputs ?? new { depth = 2 } };

    private static async Task<JsonElement> ListAsync(ServerFixture server, string key)
    {
        using var response = await server.SendAsync(HttpMethod.Get, "/v1/triggers", key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("triggers").Clone();
    }

    [Fact] // JOB-9, AUD-1: create (201), replace (200), list, delete (204), then 404; each change audited
    public async Task A_trigger_is_created_replaced_listed_and_deleted()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read");
        await server.ApplyTemplateAsync(Nightly);

        using (var created = await server.SendAsync(HttpMethod.Put, "/v1/triggers/nightly", key, CronBody()))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var listed = Assert.Single((await ListAsync(server, key)).EnumerateArray());
        Assert.Equal("nightly", listed.GetProperty("name").GetString());
        Assert.Equal("cron", listed.GetProperty("kind").GetString());
        Assert.Equal("ops.nightly", listed.GetProperty("template").GetString());
        Assert.Equal("0 9 * * *", listed.GetProperty("cron").GetString());
        Assert.Equal("Europe/Paris", listed.GetProperty("time_zone").GetString());
        Assert.Equal("""{"depth":2}""", listed.GetProperty("inputs").GetRawText());
        Assert.True(listed.GetProperty("enabled").GetBoolean());
        Assert.True(listed.GetProperty("active").GetBoolean());
        var next = listed.GetProperty("next_fire_at").GetDateTimeOffset();
        Assert.True(next > DateTimeOffset.UtcNow && next <= DateTimeOffset.UtcNow.AddDays(1).AddHours(2));

        using (var replaced = await server.SendAsync(HttpMethod.Put, "/v1/triggers/nightly", key,
                   new { template = "ops.nightly", event_type = "order.created" }))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        }

        listed = Assert.Single((await ListAsync(server, key)).EnumerateArray());
        Assert.Equal("event", listed.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("next_fire_at").ValueKind);

        using (var deleted = await server.SendAsync(HttpMethod.Delete, "/v1/triggers/nightly", key))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var again = await server.SendAsync(HttpMethod.Delete, "/v1/triggers/nightly", key);
        await Problem.AssertAsync(again, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, await EventServer.TriggerRowsAsync(server));
        var audit = await EventServer.AuditAsync(server, "acme");
        Assert.Equal(2, audit.Count(e => e.Action == "trigger.put" && e.Target == "nightly"));
        Assert.Single(audit, e => e.Action == "trigger.delete" && e.Target == "nightly");
    }

    [Fact] // AUTHZ-1: PUT and DELETE need templates:admin, GET jobs:read; a refusal writes nothing
    public async Task Scopes_are_enforced_and_a_refusal_writes_nothing()
    {
        await using var server = await EventServer.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read");
        var reader = await server.NewKeyAsync("acme", "jobs:read");
        var writer = await server.NewKeyAsync("acme", "jobs:write", "events:write");
        await server.ApplyTemplateAsync(Nightly);

        using (var put = await server.SendAsync(HttpMethod.Put, "/v1/triggers/nightly", reader, CronBody()))
        {
            await Problem.AssertAsync(put, HttpStatusCode.Forbidden, "forbidden");
        }

        Assert.Equal(0, await EventServer.TriggerRowsAsync(server));
        (await server.SendAsync(HttpMethod.Put, "/v1/triggers/nightly", admin, CronBody())).Dispose();

        using (var delete = await server.SendAsync(HttpMethod.Delete, "/v1/triggers/nightly", reader))
        {
            await Problem.AssertAsync(delete, HttpStatusCode.Forbidden, "forbidden");
        }

        using (var list = await server.SendAsync(HttpMethod.Get, "/v1/triggers", writer))
        {
            await Problem.AssertAsync(list, HttpStatusCode.Forbidden, "forbidden");
        }

        Assert.Equal(1, await EventServer.TriggerRowsAsync(server));
        Assert.Single((await ListAsync(server, reader)).EnumerateArray());
    }

    [Fact] // TEN-1: another tenant's trigger is absent: not listed, not deleted (404), not replaced
    public async Task Another_tenants_trigger_is_not_found()
    {
        await using var server = await EventServer.StartAsync();
        var acme = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read");
        var other = await server.NewTenantKeyAsync("other", "templates:admin", "jobs:read");
        await server.ApplyTemplateAsync(Nightly);
        (await server.SendAsync(HttpMethod.Put, "/v1/triggers/nightly", acme, CronBody())).Dispose();

        Assert.Empty((await ListAsync(server, other)).EnumerateArray());
        using (var delete = await server.SendAsync(HttpMethod.Delete, "/v1/triggers/nightly", other))
        {
            await Problem.AssertAsync(delete, HttpStatusCode.NotFound, "not_found");
        }

        using (var own = await server.SendAsync(HttpMethod.Put, "/v1/triggers/nightly", other, CronBody(timeZone: "UTC")))
        {
            Assert.Equal(HttpStatusCode.Created, own.StatusCode); // its own trigger of the same name
        }

        var acmeTrigger = Assert.Single((await ListAsync(server, acme)).EnumerateArray());
        Assert.Equal("Europe/Paris", acmeTrigger.GetProperty("time_zone").GetString());
    }

    [Fact] // JOB-9, AUTHZ-3, NET-2: what a PUT refuses, each with nothing written
    public async Task A_put_refuses_what_could_never_fire_and_writes_nothing()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read", "ops:deploy");
        await server.ApplyTemplateAsync(Nightly);
        await server.ApplyTemplateAsync(TemplateFiles.Script("ops.deploy", "echo deploy", scope: "ops:deploy") + "\naction: true\n");

        var cases = new (object Body, string Code)[]
        {
            (new { template = "ops.deploy", event_type = "order.created" }, "action_template_not_triggerable"),
            (new { template = "ops.deploy", cron = "0 9 * * *" }, "action_template_not_triggerable"),
            (CronBody(timeZone: "Mars/Olympus_Mons"), "invalid_time_zone"),
            (CronBody(timeZone: "../../etc/passwd"), "invalid_time_zone"),
            (CronBody(cron: "0 9 * *"), "invalid_cron"),
            (CronBody(cron: "0 0 9 * * *"), "invalid_cron"),
            (CronBody(inputs: new { depth = "deep" }), "invalid_payload"),
            (new { template = "ops.missing", event_type = "order.created" }, "unknown_template"),
            (new { template = "ops.nightly", event_type = "order.created", cron = "0 9 * * *" }, "invalid_payload"),
            (new { template = "ops.nightly" }, "invalid_payload"),
            (new { template = "ops.nightly", event_type = "order.created", inputs = new { } }, "invalid_payload"),
        };
        foreach (var (body, code) in cases)
        {
            using var response = await server.SendAsync(HttpMethod.Put, "/v1/triggers/bad", key, body);
            await Problem.AssertAsync(response, HttpStatusCode.BadRequest, code);
        }

        using (var badName = await server.SendAsync(HttpMethod.Put, "/v1/triggers/bad%20name", key, CronBody()))
        {
            await Problem.AssertAsync(badName, HttpStatusCode.BadRequest, "invalid_payload");
        }

        Assert.Equal(0, await EventServer.TriggerRowsAsync(server));
        Assert.DoesNotContain(await EventServer.AuditAsync(server, "acme"), e => e.Action == "trigger.put");
    }

    [Fact] // AUTHZ-1: binding a template needs the template's own scope too
    public async Task Binding_a_template_needs_its_required_scope()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "templates:admin");
        await server.ApplyTemplateAsync(TemplateFiles.Script("ops.guarded", "true", scope: "ops:guarded"));

        using var response = await server.SendAsync(HttpMethod.Put, "/v1/triggers/guarded", key,
            new { template = "ops.guarded", event_type = "order.created" });

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0, await EventServer.TriggerRowsAsync(server));
    }

    [Fact] // FLAG-1: configuration is not a side effect: PUT works with triggers off; the trigger shows inactive
    public async Task With_triggers_off_a_trigger_can_be_put_and_shows_inactive()
    {
        await using var server = await EventServer.StartAsync(triggers: false);
        var key = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read");
        await server.ApplyTemplateAsync(Nightly);

        using (var put = await server.SendAsync(HttpMethod.Put, "/v1/triggers/nightly", key, CronBody()))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var listed = Assert.Single((await ListAsync(server, key)).EnumerateArray());
        Assert.True(listed.GetProperty("enabled").GetBoolean());
        Assert.False(listed.GetProperty("active").GetBoolean());
    }
}
