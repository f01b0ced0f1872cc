using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Manifests;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Manifests;

/// <summary>
/// JOB-11, FLAG-1, AUD-1 end to end on a real server: a manifest per finished run only while
/// <c>manifests</c> is on, its hashes recomputable from what the API serves, read only by its tenant.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ManifestTests
{
    private const string Key = "manifest.echo";

    internal static string Template(string word, string key = Key, string secrets = "[]") => $$"""
        key: {{key}}
        kind: script
        command: ["/bin/sh", "-c", "echo {{word}} $N; echo to-stderr >&2"]
        inputs_schema: { type: object, properties: { n: { type: integer }, name: { type: string } }, additionalProperties: false }
        env_from_inputs: { N: n }
        secrets: {{secrets}}
        limits: { timeout_seconds: 20 }
        retry: { max_attempts: 1, backoff_seconds: 0, max_backoff_seconds: 0 }
        """;

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact] // FLAG-1, JOB-11: off (the default) → no manifest is written and the route answers feature_disabled
    public async Task With_manifests_off_a_run_leaves_no_manifest_and_the_route_answers_feature_disabled()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(Template("off"));
        var id = (await server.SubmitAsync(key, new { template = Key, inputs = new { n = 1 } })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "succeeded");

        using var response = await server.SendAsync(HttpMethod.Get, $"/v1/jobs/{id}/manifest", key);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "feature_disabled");
        var acme = TenantScope.Of((await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!);
        Assert.Null(await ((IManifestStore)server.Store).FindManifestAsync(acme, id, CancellationToken.None));
        Assert.Null(await ((IManifestStore)server.Store).FindReplayBundleAsync(id, CancellationToken.None));
    }

    [Fact] // JOB-11, AUD-1: the manifest names the version that ran and hashes what the API serves
    public async Task With_manifests_on_the_manifest_hashes_the_served_logs_result_and_inputs_and_names_the_version()
    {
        await using var server = await ServerFixture.StartAsync(o => o.ManifestsEnabled = true);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(Template("old"));
        await server.ApplyTemplateAsync(Template("new"));
        var id = (await server.SubmitAsync(key, new { template = Key, inputs = new { name = "x", n = 3 } })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        var manifest = await WaitForManifestAsync(server, key, id);

        Assert.Equal("succeeded", manifest.GetProperty("state").GetString());
        Assert.Equal(id, manifest.GetProperty("job_id").GetString());
        Assert.Equal(Key, manifest.GetProperty("template").GetProperty("key").GetString());
        Assert.Equal(2, manifest.GetProperty("template").GetProperty("version").GetInt32());
        Assert.Matches("^[0-9a-f]{64}$", manifest.GetProperty("template").GetProperty("definition_sha256").GetString());
        Assert.Equal(1, manifest.GetProperty("attempt").GetInt32());
        Assert.Equal(0, manifest.GetProperty("exit_code").GetInt32());
        Assert.True(manifest.GetProperty("duration_ms").GetInt64() >= 0);
        // Canonical inputs: members sorted, no whitespace.
        Assert.Equal(Sha256("""{"n":3,"name":"x"}"""), manifest.GetProperty("inputs_sha256").GetString());

        var outputs = manifest.GetProperty("outputs").EnumerateArray()
            .ToDictionary(o => o.GetProperty("name").GetString()!, o => (Bytes: o.GetProperty("bytes").GetInt64(), Sha: o.GetProperty("sha256").GetString()));
        Assert.Contains("new 3\n", logs, StringComparison.Ordinal);
        foreach (var stream in new[] { "stdout", "stderr" })
        {
            var served = Section(logs, 1, stream);
            Assert.Equal((Encoding.UTF8.GetByteCount(served), Sha256(served)), outputs[stream]);
        }

        var result = CanonicalJson.Of(job.GetProperty("result"));
        Assert.Equal((Encoding.UTF8.GetByteCount(result), Sha256(result)), outputs["result"]);

        // AUD-1: manifest creation is audited.
        var acme = TenantScope.Of((await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!);
        var audit = await server.Store.ListAuditAsync(acme, 100, CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "manifest.create" && e.Target == id && e.Outcome == "success");
    }

    [Fact] // FLAG-1, AUD-1: with audit_logging on, reading a manifest is on the read trail
    public async Task With_audit_logging_on_a_manifest_read_is_audited()
    {
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.ManifestsEnabled = true;
            o.AuditLoggingEnabled = true;
        });
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(Template("read"));
        var id = (await server.SubmitAsync(key, new { template = Key, inputs = new { n = 1 } })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "succeeded");

        await WaitForManifestAsync(server, key, id);

        var acme = TenantScope.Of((await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!);
        var audit = await server.Store.ListAuditAsync(acme, 100, CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "manifest.read" && e.Target == id && e.Actor.Length > 0);
    }

    [Fact] // TEN-1: another tenant's manifest is not found, the same answer as no manifest at all
    public async Task Another_tenants_manifest_answers_404()
    {
        await using var server = await ServerFixture.StartAsync(o => o.ManifestsEnabled = true);
        var acme = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        var globex = await server.NewTenantKeyAsync("globex", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(Template("x"));
        var id = (await server.SubmitAsync(acme, new { template = Key, inputs = new { n = 1 } })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(acme, id, "succeeded");
        await WaitForManifestAsync(server, acme, id);

        using var response = await server.SendAsync(HttpMethod.Get, $"/v1/jobs/{id}/manifest", globex);
        using var none = await server.SendAsync(HttpMethod.Get, "/v1/jobs/job_missing/manifest", acme);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
        await Problem.AssertAsync(none, HttpStatusCode.NotFound, "not_found");
    }

    /// <summary>
    /// The manifest is written right after the completion commits (never inside it, so a manifest
    /// failure cannot undo an outcome): a reader who saw the final state may have to ask again.
    /// </summary>
    internal static async Task<JsonElement> WaitForManifestAsync(ServerFixture server, string key, string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await server.SendAsync(HttpMethod.Get, $"/v1/jobs/{id}/manifest", key);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                return JsonDocument.Parse(text).RootElement.Clone();
            }

            Assert.True(response.StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline, $"manifest of {id}: {(int)response.StatusCode} {text}");
            await Task.Delay(100);
        }
    }

    /// <summary>One stream of one attempt as GET /logs serves it (a header line, then the text; a final newline added when missing).</summary>
    internal static string Section(string logs, int attempt, string stream)
    {
        var header = $"--- attempt {attempt} {stream} ---\n";
        var start = logs.IndexOf(header, StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }

        start += header.Length;
        var end = logs.IndexOf("\n--- attempt ", start - 1, StringComparison.Ordinal);
        return end < 0 ? logs[start..] : logs[start..(end + 1)];
    }
}
