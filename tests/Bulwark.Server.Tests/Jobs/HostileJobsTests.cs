using System.Net;
using System.Text.Json;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Jobs;

/// <summary>
/// Issue 3, item 7, at the server's level: a batch of hostile jobs runs through the real queue and
/// sandbox; each is contained and ends with a readable reason, none reaches the server's own port,
/// and the server stays ready and runs an ordinary job afterwards.
/// </summary>
public sealed class HostileJobsTests
{
    private const string Limits = "limits: { memory_mb: 128, cpu_seconds: 5, timeout_seconds: 8, max_processes: 32, tmp_mb: 8, output_kb: 64 }";

    [Fact] // BOX-1..4
    public async Task Hostile_batch_is_contained_and_the_server_keeps_working()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("mallory", "jobs:read", "jobs:write");
        var port = server.Http.BaseAddress!.Port;
        var marker = "bulwark-hostile-" + Guid.NewGuid().ToString("N");

        // Each hostile job, and the error codes its containment may honestly end with
        // (the memory and process kills depend on whether this host gives us cgroups).
        var hostile = new Dictionary<string, (string Script, string[] Codes)>
        {
            // The main shell stays alive (a busy loop needs no fork): when it exits, its PID namespace dies with it.
            ["fork.bomb"] = ("b() { b | b & }; b; while :; do :; done", ["process_limit", "cpu_limit", "timeout"]),
            ["memory.bomb"] = ("exec python3 -c 'x = bytearray(1 << 30); print(len(x))'", ["memory_limit", "exit_code"]),
            ["output.flood"] = ("yes flood", ["output_limit"]),
            ["tmp.fill"] = ("dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>&1; exit 3", ["exit_code"]),
            ["work.fill"] = ("dd if=/dev/zero of=/work/fill bs=1M count=64 2>&1", ["file_size_limit", "exit_code"]),
            ["orphan.daemon"] = ($"setsid sh -c 'sleep 600 # {marker}' >/dev/null 2>&1 & sleep 600", ["timeout"]),
            ["server.port"] = ($"exec python3 -c \"import socket; s = socket.socket(); s.settimeout(2); s.connect(('127.0.0.1', {port})); print('CONNECTED')\"", ["exit_code"]),
        };

        var ids = new Dictionary<string, string>();
        foreach (var (name, (script, _)) in hostile)
        {
            await server.ApplyTemplateAsync(TemplateFiles.Script(name, script, limits: Limits));
            ids[name] = (await server.SubmitAsync(key, new { template = name })).GetProperty("id").GetString()!;
        }

        foreach (var (name, (_, codes)) in hostile)
        {
            var job = await server.WaitForStateAsync(key, ids[name], "dead", "failed", "succeeded", "cancelled");
            Assert.True(job.GetProperty("state").GetString() == "dead", $"{name} ended {job}");
            var code = job.GetProperty("error_code").GetString();
            Assert.True(codes.Contains(code), $"{name} ended with {code}: {job.GetProperty("error")}");
        }

        Assert.DoesNotContain("CONNECTED", await server.LogsAsync(key, ids["server.port"]), StringComparison.Ordinal);
        Assert.Empty(Processes.WithMarker(marker)); // BOX-4: the double-forked daemon died with its run

        using var ready = await server.SendAsync(HttpMethod.Get, "/readyz", null);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        await server.ApplyTemplateAsync(TemplateFiles.Echo);
        var normal = await server.SubmitAsync(key, new { template = "demo.echo", inputs = new { name = "after" } });
        var id = normal.GetProperty("id").GetString()!;
        Assert.Equal("succeeded", (await server.WaitForStateAsync(key, id, "succeeded", "dead", "failed")).GetProperty("state").GetString());
        Assert.Contains("hello after", await server.LogsAsync(key, id), StringComparison.Ordinal);
    }
}
