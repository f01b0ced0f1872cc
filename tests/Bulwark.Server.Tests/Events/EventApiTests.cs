using System.Net;
using System.Text.Json;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Events;

/// <summary>
/// <c>POST /v1/events</c> end to end (JOB-10, JOB-9, JOB-8, FLAG-1, AUD-1): a real server, its
/// SQLite file read back to prove what was (and was not) stored.
/// </summary>
public sealed class EventApiTests
{
    private const string Listener = """
        key: orders.on_created
        kind: script
        command: ["/bin/true"]
        inputs_schema:
          type: object
          required: [event]
          properties:
            event:
              type: object
              required: [id, event_type, payload]
        """;

    private static object OrderCreated(object? payload = null, string? traceId = "trace-1") =>
        new { event_type = "order.created", trace_id = traceId, payload = payload ?? new { order = 42 } };

    private static object OnCreated(string template = "orders.on_created") => new { template, event_type = "order.created" };

    [Fact] // FLAG-1, JOB-10: events off → feature_disabled; no event row, no job, no count
    public async Task Events_off_answers_feature_disabled_and_stores_nothing()
    {
        await using var server = await EventServer.StartAsync(events: false);
        var key = await server.NewTenantKeyAsync("acme", "events:write", "templates:admin");
        await server.ApplyTemplateAsync(Listener);
        using (var put = await server.SendAsync(HttpMethod.Put, "/v1/triggers/on-created", key, OnCreated()))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/events", key, OrderCreated());

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "feature_disabled");
        Assert.Equal(0, await EventServer.EventRowsAsync(server));
        Assert.Equal(0, await EventServer.JobRowsAsync(server));
        Assert.Equal(0, await EventServer.CountAsync(server, "SELECT count(*) FROM rate_windows WHERE bucket = 'events'"));
    }

    [Fact] // AUTHZ-1: a key without events:write is refused (audited) and nothing is stored
    public async Task A_key_without_events_write_is_refused_and_stores_nothing()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/events", key, OrderCreated());

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0, await EventServer.EventRowsAsync(server));
        Assert.Contains(await EventServer.AuditAsync(server, "acme"), e => e.Action == "authz.denied");
    }

    [Fact] // JOB-8: a dry run is checked whole and audited as dry_run; no event row, no job
    public async Task A_dry_run_validates_audits_and_stores_nothing()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "events:write", "templates:admin");
        await server.ApplyTemplateAsync(Listener);
        (await server.SendAsync(HttpMethod.Put, "/v1/triggers/on-created", key, OnCreated())).Dispose();

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/events", key,
            new { event_type = "order.created", payload = new { order = 1 }, dry_run = true });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("dry_run").GetBoolean());
        Assert.Equal(["on-created"], body.GetProperty("triggers").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(0, await EventServer.EventRowsAsync(server));
        Assert.Equal(0, await EventServer.JobRowsAsync(server));
        var entry = Assert.Single(await EventServer.AuditAsync(server, "acme"), e => e.Action == "event.submit");
        Assert.True(entry.DryRun);

        using var invalid = await server.SendAsync(HttpMethod.Post, "/v1/events", key,
            new { event_type = "order created!", payload = new { }, dry_run = true });
        await Problem.AssertAsync(invalid, HttpStatusCode.BadRequest, "invalid_payload");
    }

    [Fact] // NET-2: the body is read strictly
    public async Task Malformed_events_are_refused_and_store_nothing()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "events:write");
        foreach (var body in new object[]
                 {
                     new { payload = new { } },
                     new { event_type = "a/b", payload = new { } },
                     new { event_type = "ok", payload = new[] { 1 } },
                     new { event_type = "ok" },
                     new { event_type = "ok", payload = new { }, trace_id = new string('x', 101) },
                     new { event_type = "ok", payload = new { }, tenant = "other" },
                     """{"event_type":"ok","event_type":"again","payload":{}}""",
                 })
        {
            using var response = await server.SendAsync(HttpMethod.Post, "/v1/events", key, body);
            await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_payload");
        }

        Assert.Equal(0, await EventServer.EventRowsAsync(server));
    }

    [Fact] // JOB-9, JOB-10, AUD-1: the event is stored and audited; its trigger starts the template with the event as input
    public async Task An_event_starts_its_triggers_template_with_the_event_as_input()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "events:write", "templates:admin", "jobs:read");
        await server.ApplyTemplateAsync(Listener);
        (await server.SendAsync(HttpMethod.Put, "/v1/triggers/on-created", key, OnCreated())).Dispose();

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/events", key, OrderCreated(new { order = 42, items = new[] { "a" } }));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var eventId = body.GetProperty("id").GetString()!;
        Assert.StartsWith("evt_", eventId, StringComparison.Ordinal);
        Assert.Equal("order.created", body.GetProperty("event_type").GetString());
        Assert.Equal("trace-1", body.GetProperty("trace_id").GetString());
        var jobId = Assert.Single(body.GetProperty("jobs").EnumerateArray()).GetString()!;
        Assert.Empty(body.GetProperty("not_started").EnumerateArray());

        var job = await server.WaitForStateAsync(key, jobId, "succeeded", "failed", "dead");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var input = job.GetProperty("inputs").GetProperty("event");
        Assert.Equal(eventId, input.GetProperty("id").GetString());
        Assert.Equal("order.created", input.GetProperty("event_type").GetString());
        Assert.Equal("trace-1", input.GetProperty("trace_id").GetString());
        Assert.Equal("""{"items":["a"],"order":42}""", input.GetProperty("payload").GetRawText());
        Assert.Equal($"event:{eventId}:on-created", job.GetProperty("idempotency_key").GetString());

        var stored = await server.Store.GetJobAsync(await EventServer.ScopeAsync(server, "acme"), jobId, CancellationToken.None);
        Assert.Equal("trigger:on-created", stored!.Actor);
        var audit = await EventServer.AuditAsync(server, "acme");
        Assert.Contains(audit, e => e.Action == "event.submit" && e.Target == eventId && !e.DryRun && e.Outcome == "success");
        Assert.Contains(audit, e => e.Action == "trigger.fire" && e.Target == jobId && e.Actor == "trigger:on-created");
        Assert.Equal(1, await EventServer.EventRowsAsync(server));
    }

    [Fact] // TEN-1, JOB-9: an event starts only its own tenant's triggers
    public async Task An_event_never_starts_another_tenants_trigger()
    {
        await using var server = await EventServer.StartAsync();
        var acme = await server.NewTenantKeyAsync("acme", "events:write", "templates:admin");
        var other = await server.NewTenantKeyAsync("other", "events:write", "templates:admin");
        await server.ApplyTemplateAsync(Listener);
        (await server.SendAsync(HttpMethod.Put, "/v1/triggers/on-created", other, OnCreated())).Dispose();

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/events", acme, OrderCreated());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(body.GetProperty("jobs").EnumerateArray());
        Assert.Equal(0, await EventServer.JobRowsAsync(server));
    }

    [Fact] // FLAG-1: triggers off → the event is stored, and starts nothing
    public async Task With_triggers_off_the_event_is_stored_and_starts_nothing()
    {
        await using var server = await EventServer.StartAsync(triggers: false);
        var key = await server.NewTenantKeyAsync("acme", "events:write", "templates:admin");
        await server.ApplyTemplateAsync(Listener);
        (await server.SendAsync(HttpMethod.Put, "/v1/triggers/on-created", key, OnCreated())).Dispose();

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/events", key, OrderCreated());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(body.GetProperty("jobs").EnumerateArray());
        Assert.Equal(1, await EventServer.EventRowsAsync(server));
        Assert.Equal(0, await EventServer.JobRowsAsync(server));
    }

    [Fact] // JOB-9, NET-2: an event its template's schema refuses starts no job; the answer and the audit say why
    public async Task An_event_the_templates_schema_refuses_starts_no_job_and_says_why()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "events:write", "templates:admin");
        await server.ApplyTemplateAsync("""
            key: orders.strict
            kind: script
            command: ["/bin/true"]
            inputs_schema: { type: object, properties: { name: { type: string } }, additionalProperties: false }
            """);
        await server.ApplyTemplateAsync(Listener);
        (await server.SendAsync(HttpMethod.Put, "/v1/triggers/strict", key, OnCreated("orders.strict"))).Dispose();
        (await server.SendAsync(HttpMethod.Put, "/v1/triggers/zz-listener", key, OnCreated())).Dispose();

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/events", key, OrderCreated());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(body.GetProperty("jobs").EnumerateArray());
        var refused = Assert.Single(body.GetProperty("not_started").EnumerateArray());
        Assert.Equal("strict", refused.GetProperty("trigger").GetString());
        Assert.Equal("invalid_payload", refused.GetProperty("code").GetString());
        Assert.Equal(1, await EventServer.JobRowsAsync(server));
        Assert.Contains(await EventServer.AuditAsync(server, "acme"),
            e => e.Action == "trigger.fire" && e.Outcome == "failed" && e.Target == "strict");
    }

    [Fact] // NET-3: events are limited per identity; a refusal answers 429 and stores nothing
    public async Task Events_beyond_the_rate_limit_are_refused_and_not_stored()
    {
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.EventsEnabled = true;
            o.RateLimitEventsPerMin = 2;
        });
        var key = await server.NewTenantKeyAsync("acme", "events:write");
        for (var i = 0; i < 2; i++)
        {
            using var admitted = await server.SendAsync(HttpMethod.Post, "/v1/events", key, OrderCreated());
            Assert.Equal(HttpStatusCode.Accepted, admitted.StatusCode);
        }

        using var refused = await server.SendAsync(HttpMethod.Post, "/v1/events", key, OrderCreated());

        await Problem.AssertAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal(2, await EventServer.EventRowsAsync(server));
    }

    [Fact] // FLAG-1: a trigger's template follows its family flag: an autopilot.* template with autopilot jobs off starts nothing
    public async Task A_trigger_on_a_template_whose_family_is_off_starts_nothing()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "events:write", "templates:admin");
        await server.ApplyTemplateAsync(TemplateFiles.Script("autopilot.fix", "true"));
        (await server.SendAsync(HttpMethod.Put, "/v1/triggers/fixer", key, OnCreated("autopilot.fix"))).Dispose();

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/events", key, OrderCreated());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(body.GetProperty("jobs").EnumerateArray());
        Assert.Equal("feature_disabled", Assert.Single(body.GetProperty("not_started").EnumerateArray()).GetProperty("code").GetString());
        Assert.Equal(0, await EventServer.JobRowsAsync(server));
    }
}
