using System.Net;
using System.Text.Json;
using Bulwark.Server.Tests.MultiNode;

namespace Bulwark.Server.Tests.Manifests;

/// <summary>
/// JOB-11 on PostgreSQL with real processes: a node writes the manifest and bundle under the tenant
/// wall, and <c>bulwark replay</c>, as the application login, finds the bundle by job id alone
/// (find_replay_bundle) and enqueues the same template version under the job's tenant.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PostgresReplayTests
{
    [Fact] // JOB-11, TEN-2
    public async Task On_postgres_a_run_gets_its_manifest_and_replay_runs_the_same_version()
    {
        await using var cluster = await NodeCluster.CreateAsync();
        var key = await cluster.TenantWithKeyAndTemplateAsync("acme", "jobs:read,jobs:write", ManifestTests.Template("v1", "pg.replay"));
        var node = await cluster.StartNodeAsync("a", e =>
        {
            e["BULWARK_MANIFESTS_ENABLED"] = "true";
            e["BULWARK_REPLAY_BUNDLES_ENABLED"] = "true";
        }, migrates: true);
        var id = await node.SubmitAsync(key, new { template = "pg.replay", inputs = new { n = 4 } });
        await WaitForStateAsync(node, key, id, "succeeded");
        var manifest = await WaitForManifestAsync(node, key, id);
        Assert.Equal(1, manifest.GetProperty("template").GetProperty("version").GetInt32());
        await cluster.ApplyTemplateAsync(ManifestTests.Template("v2", "pg.replay"));

        var replay = await BulwarkProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["BULWARK_DATABASE"] = cluster.Database.AppConnectionString,
                ["BULWARK_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "bulwark-pg-replay-" + Guid.NewGuid().ToString("N")),
                ["BULWARK_AUDIT_KEY"] = cluster.AuditKeyHex,
                ["BULWARK_REPLAY_BUNDLES_ENABLED"] = "true",
            },
            "replay", id);

        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Contains("template: pg.replay@1", replay.Stdout, StringComparison.Ordinal);
        var replayId = replay.StdoutLines[^1];
        var job = await WaitForStateAsync(node, key, replayId, "succeeded");
        Assert.Equal(1, job.GetProperty("template_version").GetInt32());
        Assert.Contains("v1 4\n", await node.LogsAsync(key, replayId), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> WaitForStateAsync(ServeNode node, string key, string id, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var job = await node.GetJobAsync(key, id);
            if (job.GetProperty("state").GetString() == state)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {id} never reached {state}: {job}");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> WaitForManifestAsync(ServeNode node, string key, string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await node.SendAsync(HttpMethod.Get, $"/v1/jobs/{id}/manifest", key);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return JsonDocument.Parse(text).RootElement.Clone();
            }

            Assert.True(response.StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline, $"manifest of {id}: {(int)response.StatusCode} {text}");
            await Task.Delay(100);
        }
    }
}
