using System.Text.Json;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Events;

/// <summary>
/// The runtime's <c>POST events</c> (JOB-10, JOB-9): a running job emits an event for its own tenant,
/// through its socket, and an event trigger bound to the type the job emits cannot loop for ever.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RuntimeEventTests
{
    private const string Rt = """
        rt() { m=$1; p=$2; shift 2; curl -sS --unix-socket "$BULWARK_RUNTIME_SOCKET" -X "$m" -H "Authorization: Bearer $BULWARK_TASK_TOKEN" -H 'Content-Type: application/json' -w ' %{http_code}\n' "http://runtime$p" "$@"; }

        """;

    [Fact] // JOB-10: the event belongs to the job's tenant, its actor is the job
    public async Task A_job_emits_an_event_for_its_own_tenant()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("rt.emit", Rt + """
            rt POST /runtime/v1/events --data '{"event_type":"build.done","trace_id":"t-7","payload":{"ok":true}}'
            """));

        var id = (await server.SubmitAsync(key, new { template = "rt.emit" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), logs);
        Assert.Contains(" 202\n", logs, StringComparison.Ordinal);
        Assert.Equal(1, await EventServer.CountAsync(server,
            $"SELECT count(*) FROM events e JOIN tenants t ON t.id = e.tenant_id WHERE t.name = 'acme' AND e.actor = 'job:{id}' AND e.event_type = 'build.done' AND e.depth = 0"));
        Assert.Contains(await EventServer.AuditAsync(server, "acme"), e => e.Action == "event.submit" && e.Actor == "job:" + id);
    }

    [Fact] // FLAG-1: events off → the runtime call is refused too, nothing stored
    public async Task With_events_off_a_jobs_event_is_refused()
    {
        await using var server = await EventServer.StartAsync(events: false);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("rt.emit", Rt + """
            rt POST /runtime/v1/events --data '{"event_type":"build.done","payload":{}}'
            """));

        var id = (await server.SubmitAsync(key, new { template = "rt.emit" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.Contains("feature_disabled", logs, StringComparison.Ordinal);
        Assert.Contains(" 403\n", logs, StringComparison.Ordinal);
        Assert.Equal(0, await EventServer.EventRowsAsync(server));
    }

    [Fact] // JOB-9: a trigger whose job emits the event that started it stops after 8 hops, audited
    public async Task A_trigger_loop_stops_after_eight_hops()
    {
        await using var server = await EventServer.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "events:write", "templates:admin", "jobs:read");
        await server.ApplyTemplateAsync(TemplateFiles.Script("loop.ping", Rt + """
            rt POST /runtime/v1/events --data '{"event_type":"ping","payload":{}}'
            """));
        (await server.SendAsync(HttpMethod.Put, "/v1/triggers/echo", key, new { template = "loop.ping", event_type = "ping" })).Dispose();

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/events", key, new { event_type = "ping", payload = new { } });
        Assert.Single(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("jobs").EnumerateArray());

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!(await EventServer.AuditAsync(server, "acme")).Any(e => e.Action == "trigger.loop_stopped") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var stop = Assert.Single(await EventServer.AuditAsync(server, "acme"), e => e.Action == "trigger.loop_stopped");
        Assert.Equal("denied", stop.Outcome);
        // Depths 0 (the API's event) to 8 (the one that started nothing); one job per hop before it.
        Assert.Equal(9, await EventServer.EventRowsAsync(server));
        Assert.Equal(1, await EventServer.CountAsync(server, "SELECT count(*) FROM events WHERE depth = 8"));
        Assert.Equal(8, await EventServer.JobRowsAsync(server));
    }

    [Fact] // SEC-1, SEC-4: a job's secret in the event it emits is redacted before the event is stored
    public async Task A_jobs_secret_never_reaches_a_stored_event()
    {
        var secretsDir = Directory.CreateTempSubdirectory("bulwark-events-secrets-").FullName;
        try
        {
            var value = "sv-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
            Directory.CreateDirectory(Path.Join(secretsDir, "dev", "acme"));
            await File.WriteAllTextAsync(Path.Join(secretsDir, "dev", "acme", "demo_key"), value + "\n");
            await using var server = await ServerFixture.StartAsync(o =>
            {
                o.EventsEnabled = true;
                o.SecretsDir = secretsDir;
            });
            var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
            await server.ApplyTemplateAsync(TemplateFiles.Script("rt.leak", Rt + """
                rt POST /runtime/v1/events --data "{\"event_type\":\"build.done\",\"payload\":{\"k\":\"$DEMO_KEY\"}}"
                """) + "\nsecrets: [demo_key]\n");

            var id = (await server.SubmitAsync(key, new { template = "rt.leak" })).GetProperty("id").GetString()!;
            await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");

            Assert.Equal(1, await EventServer.CountAsync(server, """SELECT count(*) FROM events WHERE payload_json = '{"k":"[REDACTED]"}'"""));
            Assert.Equal(0, await Runtime.RuntimeApiClient.CountAsync(server.Options.DatabasePath,
                "SELECT count(*) FROM events WHERE instr(payload_json, $v) > 0", ("$v", value)));
        }
        finally
        {
            Directory.Delete(secretsDir, recursive: true);
        }
    }
}
