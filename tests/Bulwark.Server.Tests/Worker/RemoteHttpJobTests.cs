using System.Text.Json;
using Bulwark.Core.Egress;
using Bulwark.Server.Tests.Egress;
using Bulwark.Server.Tests.Runtime;

namespace Bulwark.Server.Tests.Worker;

/// <summary>
/// AUTH-7, NET-1: an http job claimed through the worker API is never handed to the remote
/// worker (which has no egress guard, secret providers or audit log); the node runs it under that
/// claim. Only a listener on 127.0.0.1 is ever sent a packet.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RemoteHttpJobTests
{
    [Fact] // AUTH-7, NET-1, AUD-1, JOB-3: also when the worker's lease is shorter than the request takes
    public async Task An_http_job_claimed_through_the_worker_api_runs_on_the_node_and_the_worker_gets_nothing()
    {
        // The answer takes longer than the worker's 2 s lease, the node's first heartbeat comes after
        // 5 s and the reaper looks every second: unless the node extends the lease before it runs
        // the job, the job is requeued mid-request and its result lost.
        await using var listener = LoopbackListener.Start(_ =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(4));
            return LoopbackListener.Ok("pong");
        });
        var (server, key) = await StartAsync(listener, o =>
        {
            o.ReaperSeconds = 1;
            o.LeaseSeconds = 30;
            o.HeartbeatSeconds = 5;
        });
        await using var _ = server;
        var id = (await server.SubmitAsync(key, new { template = "hooks.ping" })).GetProperty("id").GetString()!;

        // The worker asks until the job has been claimed; every answer it gets is empty.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await QueuedAsync(server, id))
        {
            Assert.True(DateTime.UtcNow < deadline, "the job was never claimed");
            using var response = await WorkerCalls.PostAsync(server, "claim", new { max = 5, lease_seconds = 2 });
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            Assert.Equal(0, JsonDocument.Parse(text).RootElement.GetProperty("jobs").GetArrayLength());
            await Task.Delay(50);
        }

        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");

        Assert.True("succeeded" == job.GetProperty("state").GetString(), job.ToString());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        Assert.Equal(200, job.GetProperty("result").GetProperty("status").GetInt32());
        Assert.Equal(1, listener.Accepted);
        Assert.Equal(1, await RuntimeApiClient.CountAsync(
            server.Options.DatabasePath,
            "SELECT count(*) FROM audit_log WHERE action = 'egress.request' AND outcome = 'success' AND target LIKE '%127.0.0.1%'"));
    }

    [Fact] // AUTH-7, NET-1: one claim of many http jobs does not start more runs at once than the node's workers
    public async Task Http_jobs_from_one_claim_run_at_most_workers_at_a_time_and_all_finish()
    {
        var current = 0;
        var most = 0;
        await using var listener = LoopbackListener.Start(_ =>
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref most, now);
            Thread.Sleep(TimeSpan.FromMilliseconds(500));
            Interlocked.Decrement(ref current);
            return LoopbackListener.Ok("pong");
        });
        var (server, key) = await StartAsync(listener, o => o.Workers = 1);
        await using var _ = server;
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await server.SubmitAsync(key, new { template = "hooks.ping" })).GetProperty("id").GetString()!);
        }

        // One claim takes all three (the test is the remote worker): the node runs them in turn.
        using (var response = await WorkerCalls.PostAsync(server, "claim", new { max = 5, lease_seconds = 30 }))
        {
            Assert.True(response.IsSuccessStatusCode);
        }

        foreach (var id in ids)
        {
            Assert.False(await QueuedAsync(server, id), $"{id} was not claimed by the one claim");
        }

        foreach (var id in ids)
        {
            var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
            Assert.True("succeeded" == job.GetProperty("state").GetString(), job.ToString());
        }

        Assert.Equal(3, listener.Accepted);
        Assert.True(most == 1, $"{most} requests were in flight at once");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>
    /// A server whose own workers are off (the test is the remote worker), egress to 127.0.0.1 on the
    /// listener's port for tenant acme, and the http template hooks.ping calling it; acme's key.
    /// </summary>
    private static async Task<(Support.ServerFixture Server, string Key)> StartAsync(
        LoopbackListener listener, Action<Server.Hosting.BulwarkOptions> configure)
    {
        var server = await WorkerCalls.StartServerAsync(o =>
        {
            o.EgressAllowLoopback = true;
            o.EgressAllowedPorts = listener.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            o.EgressAllowLists = EgressAllowLists.Of(new Dictionary<string, string> { ["acme"] = "127.0.0.1" });
            configure(o);
        });
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync($$"""
            key: hooks.ping
            kind: http
            request: { method: GET, url: "http://127.0.0.1:{{listener.Port}}/ping" }
            retry: { max_attempts: 1, backoff_seconds: 0, max_backoff_seconds: 0 }
            """);
        return (server, key);
    }

    private static async Task<bool> QueuedAsync(Support.ServerFixture server, string id) =>
        await RuntimeApiClient.CountAsync(
            server.Options.DatabasePath, "SELECT count(*) FROM jobs WHERE id = @id AND state = 'queued'", ("@id", id)) == 1;
}
