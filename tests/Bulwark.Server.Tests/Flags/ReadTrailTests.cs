using System.Text.Json;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Flags;

/// <summary>FLAG-1: with audit_logging on, reads of jobs, job lists and logs are audited; off, they are not.</summary>
public sealed class ReadTrailTests
{
    [Fact] // FLAG-1, AUD-1: the full read trail
    public async Task With_audit_logging_on_job_reads_lists_and_logs_are_audited()
    {
        await using var server = await ServerFixture.StartAsync(o => o.AuditLoggingEnabled = true);
        var (key, id) = await FinishedJobAsync(server);

        await server.GetJobAsync(key, id);
        using (var list = await server.SendAsync(HttpMethod.Get, "/v1/jobs?limit=5", key))
        {
            Assert.True(list.IsSuccessStatusCode);
        }

        await server.LogsAsync(key, id);

        var read = await ActionsAsync(server, key);
        Assert.Contains(("job.read", id), read);
        Assert.Contains(("job.list", "?limit=5"), read);
        Assert.Contains(("job.logs", id), read);
    }

    [Fact] // FLAG-1: off (the default), reads leave no entry; the security entries are written regardless (elsewhere tested)
    public async Task With_audit_logging_off_reads_leave_no_entry()
    {
        await using var server = await ServerFixture.StartAsync();
        var (key, id) = await FinishedJobAsync(server);

        await server.GetJobAsync(key, id);
        await server.LogsAsync(key, id);

        Assert.DoesNotContain(await ActionsAsync(server, key), a => a.Action is "job.read" or "job.list" or "job.logs");
    }

    [Fact] // FLAG-1: another tenant's job is not found, and not recorded as a read
    public async Task A_read_that_finds_nothing_is_not_a_read()
    {
        await using var server = await ServerFixture.StartAsync(o => o.AuditLoggingEnabled = true);
        var (key, _) = await FinishedJobAsync(server);

        const string missing = "job_0000000000000000000000000000000";

        using var response = await server.SendAsync(HttpMethod.Get, "/v1/jobs/" + missing, key);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(await ActionsAsync(server, key), a => a.Target == missing);
    }

    [Fact] // FLAG-1: a job reading a variable through the runtime API is on the trail too, with the job as actor
    public async Task With_audit_logging_on_a_runtime_variable_read_is_audited()
    {
        await using var server = await ServerFixture.StartAsync(o => o.AuditLoggingEnabled = true);
        var key = await server.NewTenantKeyAsync("acme", Scopes.JobsWrite, Scopes.JobsRead, Scopes.AuditRead);
        await server.ApplyTemplateAsync(TemplateFiles.Script("demo.vars", Rt + """
            rt PUT /runtime/v1/variables/progress --data '{"step":1}'
            rt GET /runtime/v1/variables/progress
            """));
        var id = (await server.SubmitAsync(key, new { template = "demo.vars" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "succeeded");

        using var response = await server.SendAsync(HttpMethod.Get, "/v1/audit?action=variable.read", key);
        var entry = Assert.Single(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("entries").EnumerateArray());

        Assert.Equal("progress", entry.GetProperty("target").GetString());
        Assert.Equal($"task:{id}", entry.GetProperty("actor").GetString());
    }

    private const string Rt = """
        rt() { m=$1; p=$2; shift 2; curl -sS --unix-socket "$BULWARK_RUNTIME_SOCKET" -X "$m" -H "Authorization: Bearer $BULWARK_TASK_TOKEN" -H 'Content-Type: application/json' -w ' %{http_code}\n' "http://runtime$p" "$@"; }

        """;

    private static async Task<(string Key, string Id)> FinishedJobAsync(ServerFixture server)
    {
        var key = await server.NewTenantKeyAsync("acme", Scopes.JobsWrite, Scopes.JobsRead, Scopes.AuditRead);
        await server.ApplyTemplateAsync(TemplateFiles.Script("demo.hello", "echo hello"));
        var id = (await server.SubmitAsync(key, new { template = "demo.hello" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "succeeded");
        return (key, id);
    }

    private static async Task<List<(string Action, string? Target)>> ActionsAsync(ServerFixture server, string key)
    {
        using var response = await server.SendAsync(HttpMethod.Get, "/v1/audit?limit=500", key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("action").GetString()!, e.TryGetProperty("target", out var t) ? t.GetString() : null))
            .ToList();
    }
}
