using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.MultiNode;

/// <summary>
/// Several nodes sharing the work (OPS-1, JOB-3, AUTH-5, TEN-4): real <c>bulwark serve</c> processes
/// and a real remote <c>bulwark worker</c> on one PostgreSQL database, real HTTP on loopback, real
/// sandbox. One collection: the scenarios run one after another, each on its own database.
/// </summary>
[Collection(Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MultiNodeTests
{
    public const string Name = "multi-node";

    [Fact] // JOB-3, OPS-1, OPS-2: every job exactly once across two nodes and a remote worker; both nodes ready
    public async Task A_burst_submitted_to_one_node_runs_each_job_exactly_once_shared_by_two_nodes_and_a_remote_worker()
    {
        await using var cluster = await NodeCluster.CreateAsync();
        var key = await cluster.TenantWithKeyAndTemplateAsync(
            "acme", "jobs:read,jobs:write", TemplateFiles.Script("mn.burst", "echo \"ran $BULWARK_JOB_ID\"; sleep 0.2"));
        var nodes = await Task.WhenAll(cluster.StartNodeAsync("a", migrates: true), cluster.StartNodeAsync("b"));
        var (a, b) = (nodes[0], nodes[1]);
        await cluster.StartRemoteWorkerAsync(b, "far");
        foreach (var node in nodes)
        {
            using var ready = await node.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
            var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
            Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{node.Name} /readyz: {body}");
            Assert.Equal("ready", body.GetProperty("status").GetString());
            Assert.Equal("ok", body.GetProperty("store").GetString());
        }

        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add(await a.SubmitAsync(key, new { template = "mn.burst", inputs = new { n = i } }));
        }

        var states = await cluster.WaitUntilFinishedAsync(ids, TimeSpan.FromSeconds(90));

        Assert.True(states.All(s => s.State == "succeeded"), string.Join(", ", states) + cluster.Diagnostics());
        foreach (var id in ids)
        {
            var job = await b.GetJobAsync(key, id);
            Assert.Equal(1, job.GetProperty("attempts").GetInt32());
            var logs = await b.LogsAsync(key, id);
            Assert.True(Regex.Count(logs, Regex.Escape($"ran {id}")) == 1, $"{id} logged:\n{logs}");
        }

        var attempts = await cluster.QueryAsync<(string JobId, string WorkerId, string? Outcome)>(
            "SELECT job_id, worker_id, outcome FROM bulwark.attempts WHERE job_id = ANY(@ids)", new { ids = ids.ToArray() });
        Assert.Equal(ids.Order(), attempts.Select(r => r.JobId).Order());
        Assert.All(attempts, r => Assert.Equal("succeeded", r.Outcome));
        var workers = attempts.Select(r => r.WorkerId).Distinct().ToList();
        Assert.True(workers.Count > 1, $"one worker ran everything: {string.Join(", ", workers)}");
        Assert.All(workers, w => Assert.True(a.OwnsWorker(w) || b.OwnsWorker(w) || w == "remote:far", $"unknown worker {w}"));

        var submissions = await cluster.QueryAsync<(string Target, long Count)>(
            "SELECT target, count(*) FROM bulwark.audit_log WHERE action = 'job.submit' AND target = ANY(@ids) GROUP BY target",
            new { ids = ids.ToArray() });
        Assert.Equal(ids.Order(), submissions.Select(s => s.Target).Order());
        Assert.All(submissions, s => Assert.Equal(1, s.Count));
    }

    [Fact] // JOB-3: kill -9 of a node mid-run: its leases expire, the other node reruns the jobs, no completion is accepted twice
    public async Task Jobs_of_a_node_killed_mid_run_are_finished_by_the_other_node_on_a_second_attempt()
    {
        await using var cluster = await NodeCluster.CreateAsync();
        var key = await cluster.TenantWithKeyAndTemplateAsync("acme", "jobs:read,jobs:write", TemplateFiles.Script(
            "mn.long", "echo \"ran $BULWARK_JOB_ID attempt $BULWARK_ATTEMPT\"; sleep 4", maxAttempts: 3, timeoutSeconds: 30));
        static void ShortLease(Dictionary<string, string> e) => e["BULWARK_LEASE_SECONDS"] = "3";
        var nodes = await Task.WhenAll(cluster.StartNodeAsync("a", ShortLease, migrates: true), cluster.StartNodeAsync("b", ShortLease));
        var (a, b) = (nodes[0], nodes[1]);

        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await a.SubmitAsync(key, new { template = "mn.long", inputs = new { n = i } }));
        }

        var onA = await RunningOnAsync(cluster, a, ids);
        a.Process.KillHard();
        var states = await cluster.WaitUntilFinishedAsync(ids, TimeSpan.FromSeconds(60));

        Assert.True(states.All(s => s.State == "succeeded"), string.Join(", ", states) + cluster.Diagnostics());
        var attempts = await cluster.QueryAsync<(string JobId, int Attempt, string WorkerId, string? Outcome)>(
            "SELECT job_id, attempt, worker_id, outcome FROM bulwark.attempts WHERE job_id = ANY(@ids) ORDER BY job_id, attempt",
            new { ids = ids.ToArray() });
        foreach (var id in ids)
        {
            var rows = attempts.Where(r => r.JobId == id).ToList();
            var job = await b.GetJobAsync(key, id);
            Assert.Equal(rows.Count, job.GetProperty("attempts").GetInt32());
            // One accepted completion per job: the killed node's attempt never completed.
            Assert.Single(rows, r => r.Outcome == "succeeded");
        }

        foreach (var id in onA)
        {
            var rows = attempts.Where(r => r.JobId == id).ToList();
            Assert.True(rows.Count == 2, $"{id}: {string.Join(", ", rows)}");
            Assert.True(a.OwnsWorker(rows[0].WorkerId) && rows[0].Outcome != "succeeded", $"{id} attempt 1: {rows[0]}");
            Assert.True(b.OwnsWorker(rows[1].WorkerId) && rows[1].Outcome == "succeeded", $"{id} attempt 2: {rows[1]}");
            var logs = await b.LogsAsync(key, id);
            Assert.True(Regex.Count(logs, Regex.Escape($"ran {id} attempt 2")) == 1, $"{id} logged:\n{logs}");
        }
    }

    [Fact] // AUTH-5, TEN-4, TEN-3: revocations and suspensions written through one node or the CLI hold on every node
    public async Task A_key_revoked_on_one_node_and_a_tenant_suspended_by_the_operator_are_refused_on_every_node()
    {
        await using var cluster = await NodeCluster.CreateAsync();
        // Two operators at once: both commands migrate, under the store's advisory lock.
        await Task.WhenAll(cluster.OperatorOkAsync("tenants", "create", "acme"), cluster.OperatorOkAsync("tenants", "create", "globex"));
        var template = cluster.ApplyTemplateAsync(TemplateFiles.Script("mn.quick", "echo \"ran $BULWARK_JOB_ID\""));
        var keys = await Task.WhenAll(
            cluster.CreateKeyAsync("acme", "keys:admin,jobs:read,jobs:write"),
            cluster.CreateKeyAsync("acme", "jobs:read"),
            cluster.CreateKeyAsync("globex", "jobs:read,jobs:write"));
        await template;
        var (admin, (victimId, victim), globex) = (keys[0].Key, keys[1], keys[2].Key);
        var starting = Task.WhenAll(cluster.StartNodeAsync("a", migrates: true), cluster.StartNodeAsync("b"));
        var listed = await cluster.OperatorOkAsync("tenants", "list");
        var nodes = await starting;
        var (a, b) = (nodes[0], nodes[1]);
        Assert.Contains(listed.StdoutLines, l => l.StartsWith("acme ", StringComparison.Ordinal));
        Assert.Contains(listed.StdoutLines, l => l.StartsWith("globex ", StringComparison.Ordinal));

        // AUTH-5: revoked through node A's API, refused by node B once its cache refreshes (every 2 s).
        Assert.Equal(HttpStatusCode.OK, await b.StatusAsync("/v1/jobs", victim));
        using (var revoke = await a.SendAsync(HttpMethod.Delete, $"/v1/api-keys/{victimId}", admin))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        var listing = cluster.OperatorOkAsync("keys", "list", "--tenant", "acme");
        await UntilStatusAsync(nodes, "/v1/jobs", victim, HttpStatusCode.Unauthorized);
        // The operator sees the revocation made through the API: the REVOKED column, last, holds a time.
        var listedKeys = await listing;
        Assert.Contains(listedKeys.StdoutLines, l => l.StartsWith(victimId, StringComparison.Ordinal) && l.EndsWith('Z'));

        // TEN-4: suspended by the operator command, refused by both nodes.
        await cluster.OperatorOkAsync("tenants", "suspend", "acme");
        await UntilStatusAsync(nodes, "/v1/jobs", admin, HttpStatusCode.Unauthorized);
        // Jobs of the suspended tenant in the queue, due now and first in line (put straight into the
        // store, as a node accepting them just before the suspension would have).
        var waiting = await cluster.EnqueueAsync("acme", "mn.quick", count: 3, priority: 100);

        // Both nodes claim and finish another tenant's later, lower-priority jobs...
        var others = new List<string>();
        foreach (var node in nodes)
        {
            for (var i = 0; i < 4; i++)
            {
                others.Add(await node.SubmitAsync(globex, new { template = "mn.quick", inputs = new { n = i } }));
            }
        }

        var otherStates = await cluster.WaitUntilFinishedAsync(others, TimeSpan.FromSeconds(60));
        Assert.True(otherStates.All(s => s.State == "succeeded"), string.Join(", ", otherStates) + cluster.Diagnostics());
        // ...while the suspended tenant's jobs, due first and at a higher priority, were taken by neither.
        var untouched = await cluster.QueryAsync<(string Id, string State, int Attempts)>(
            "SELECT id, state, attempts FROM bulwark.jobs WHERE id = ANY(@ids)", new { ids = waiting.ToArray() });
        Assert.Equal(3, untouched.Count);
        Assert.All(untouched, j => Assert.True(j.State == "queued" && j.Attempts == 0, j.ToString()));
        Assert.Empty(await cluster.QueryAsync<string>("SELECT job_id FROM bulwark.attempts WHERE job_id = ANY(@ids)", new { ids = waiting.ToArray() }));

        await cluster.OperatorOkAsync("tenants", "resume", "acme");
        await UntilStatusAsync(nodes, "/v1/jobs", admin, HttpStatusCode.OK);
        var resumed = await cluster.WaitUntilFinishedAsync(waiting, TimeSpan.FromSeconds(30));
        Assert.True(resumed.All(s => s.State == "succeeded"), string.Join(", ", resumed) + cluster.Diagnostics());
        var audited = await cluster.QueryAsync<string>("SELECT action FROM bulwark.audit_log WHERE actor = 'operator'");
        Assert.Contains("tenant.suspend", audited);
        Assert.Contains("tenant.resume", audited);
    }

    [Fact] // OPS-1: a job submitted on node A starts on node B's idle workers through the database's wake-up, not B's poll
    public async Task A_job_submitted_on_one_node_wakes_the_idle_workers_of_another_node()
    {
        const int PollMilliseconds = 60_000;
        await using var cluster = await NodeCluster.CreateAsync();
        var key = await cluster.TenantWithKeyAndTemplateAsync(
            "acme", "jobs:read,jobs:write", TemplateFiles.Script("mn.quick", "echo \"ran $BULWARK_JOB_ID\""));
        // A takes submissions only; B would look for work once a minute if nothing woke it.
        var a = await cluster.StartNodeAsync("a", e => e["BULWARK_LOCAL_WORKERS"] = "0", migrates: true);
        var b = await cluster.StartNodeAsync("b", e => e["BULWARK_POLL_MILLISECONDS"] = PollMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // One after another: each submission finds B asleep again after the previous job.
        for (var i = 0; i < 3; i++)
        {
            var id = await a.SubmitAsync(key, new { template = "mn.quick", inputs = new { n = i } });

            // Bounded by half of B's poll: finishing within it, only the wake-up can have started the job.
            var state = Assert.Single(await cluster.WaitUntilFinishedAsync([id], TimeSpan.FromMilliseconds(PollMilliseconds / 2)));
            Assert.Equal("succeeded", state.State);
            var worker = Assert.Single(await cluster.QueryAsync<string>("SELECT worker_id FROM bulwark.attempts WHERE job_id = @id", new { id }));
            Assert.True(b.OwnsWorker(worker), worker);
        }
    }

    /// <summary>Waits (bounded) until some of the jobs run on <paramref name="node"/>'s own workers; returns those.</summary>
    private static async Task<IReadOnlyList<string>> RunningOnAsync(NodeCluster cluster, ServeNode node, IReadOnlyList<string> ids)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var running = await cluster.QueryAsync<(string Id, string WorkerId)>(
                """
                SELECT j.id, a.worker_id FROM bulwark.jobs j
                JOIN bulwark.attempts a ON a.job_id = j.id AND a.attempt = j.attempts
                WHERE j.state = 'running' AND j.id = ANY(@ids)
                """,
                new { ids = ids.ToArray() });
            var onNode = running.Where(r => node.OwnsWorker(r.WorkerId)).Select(r => r.Id).ToList();
            if (onNode.Count > 0)
            {
                return onNode;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no job ran on node {node.Name} within 30 s" + cluster.Diagnostics());
            await Task.Delay(100);
        }
    }

    /// <summary>AUTH-5's bound: a change written anywhere holds on every node within a few seconds (≤ 10 s here).</summary>
    private static async Task UntilStatusAsync(IEnumerable<ServeNode> nodes, string path, string key, HttpStatusCode expected)
    {
        foreach (var node in nodes)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            HttpStatusCode status;
            while ((status = await node.StatusAsync(path, key)) != expected)
            {
                Assert.True(DateTime.UtcNow < deadline, $"node {node.Name} still answers {(int)status}, not {(int)expected}, after 10 s");
                await Task.Delay(100);
            }
        }
    }
}
