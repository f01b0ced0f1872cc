using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Manifests;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Cli;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Manifests;

/// <summary>
/// JOB-11, FLAG-1, AUD-1, SEC-1, SEC-3: <c>bulwark replay</c> against a real server's store — the same
/// template version and inputs as the original run, dry runs that create nothing, refusals that
/// create nothing, and no secret value in any bundle, manifest or database file.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReplayTests : IDisposable
{
    private const string Key = "replay.echo";
    private readonly CliHarness _cli = new();

    public ReplayTests() => _cli.Environment["BULWARK_REPLAY_BUNDLES_ENABLED"] = "true";

    public void Dispose() => _cli.Dispose();

    private static Task<ServerFixture> StartAsync(bool bundles = true, string? secretsDir = null) => ServerFixture.StartAsync(o =>
    {
        o.ManifestsEnabled = true;
        o.ReplayBundlesEnabled = bundles;
        o.SecretsDir = secretsDir;
    });

    private Task<CliRun> ReplayAsync(ServerFixture server, params string[] args) =>
        _cli.RunAsync(["replay", .. args, "--data", server.Options.DataDir]);

    /// <summary>v1 runs on inputs {n: 7}; then v2 is applied, so "the latest" is no longer what ran.</summary>
    private static async Task<(string Key, string JobId, TenantScope Scope)> RunThenUpgradeAsync(ServerFixture server)
    {
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(ManifestTests.Template("v1", Key));
        var id = (await server.SubmitAsync(key, new { template = Key, inputs = new { n = 7 } })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "succeeded");
        await ManifestTests.WaitForManifestAsync(server, key, id);
        await server.ApplyTemplateAsync(ManifestTests.Template("v2", Key));
        var scope = TenantScope.Of((await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!);
        return (key, id, scope);
    }

    private static async Task<int> JobCountAsync(ServerFixture server, TenantScope scope) =>
        (await server.Store.ListJobsAsync(scope, new JobQuery(null, null, JobQuery.MaxLimit, null), CancellationToken.None)).Jobs.Count;

    private static Task<IReadOnlyList<AuditEntry>> AuditAsync(ServerFixture server, TenantScope scope) =>
        server.Store.ListAuditAsync(scope, 200, CancellationToken.None);

    [Theory] // Rule 4: a malformed job id is one plain sentence and a non-zero exit, and nothing is replayed
    [InlineData("")]
    [InlineData("../job")]
    public async Task A_malformed_job_id_is_refused_with_one_plain_sentence(string jobId)
    {
        await using var server = await StartAsync();

        var run = await ReplayAsync(server, jobId);

        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains("job id", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unexpected error", line, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact] // JOB-11, AUD-1: a dry run prints what would run, writes its audit entry marked dry_run, and creates nothing
    public async Task Dry_run_prints_the_version_and_inputs_hash_enqueues_nothing_and_is_audited_as_dry_run()
    {
        await using var server = await StartAsync();
        var (_, id, scope) = await RunThenUpgradeAsync(server);
        var before = await JobCountAsync(server, scope);

        var run = await ReplayAsync(server, id, "--dry-run");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"template: {Key}@1", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("inputs sha256: " + Sha256("""{"n":7}"""), run.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, await JobCountAsync(server, scope));
        var entry = Assert.Single(await AuditAsync(server, scope), e => e.Action == "job.replay");
        Assert.True(entry.DryRun);
        Assert.Equal("success", entry.Outcome);
        Assert.Equal(id, entry.Target);
    }

    [Fact] // JOB-11, JOB-1: the replay runs the version that ran, not the newest, on the same inputs
    public async Task Replay_enqueues_the_same_template_version_with_the_same_inputs_even_after_a_newer_version()
    {
        await using var server = await StartAsync();
        var (key, id, scope) = await RunThenUpgradeAsync(server);
        var original = await server.GetJobAsync(key, id);

        var run = await ReplayAsync(server, id);

        Assert.True(run.ExitCode == 0, run.ToString());
        var replayId = run.StdoutLines[^1];
        Assert.NotEqual(id, replayId);
        var replay = await server.WaitForStateAsync(key, replayId, "succeeded", "failed", "dead");
        Assert.Equal("succeeded", replay.GetProperty("state").GetString());
        Assert.Equal(1, replay.GetProperty("template_version").GetInt32());
        Assert.Equal(original.GetProperty("inputs").GetRawText(), replay.GetProperty("inputs").GetRawText());
        Assert.Contains("v1 7\n", await server.LogsAsync(key, replayId), StringComparison.Ordinal);

        // AUD-1: the new job's record names the job it replays.
        var entry = Assert.Single(await AuditAsync(server, scope), e => e.Action == "job.replay" && e.Target == replayId);
        Assert.False(entry.DryRun);
        Assert.Equal(id, JsonDocument.Parse(entry.DetailJson!).RootElement.GetProperty("replay_of").GetString());
    }

    [Fact] // FLAG-1: replay_bundles off in the configuration → refused, nothing enqueued
    public async Task Replay_is_refused_while_replay_bundles_are_off_and_nothing_is_enqueued()
    {
        await using var server = await StartAsync();
        var (_, id, scope) = await RunThenUpgradeAsync(server);
        var before = await JobCountAsync(server, scope);
        _cli.Environment.Remove("BULWARK_REPLAY_BUNDLES_ENABLED");

        var run = await ReplayAsync(server, id);
        var dry = await ReplayAsync(server, id, "--dry-run");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("replay_bundles", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, dry.ExitCode);
        Assert.Equal(before, await JobCountAsync(server, scope));
        Assert.DoesNotContain(await AuditAsync(server, scope), e => e.Action == "job.replay" && e.Outcome == "success");
    }

    [Fact] // JOB-11: a run made while bundles were off has none to replay
    public async Task A_job_that_ran_with_bundles_off_has_no_bundle_and_nothing_is_enqueued()
    {
        await using var server = await StartAsync(bundles: false);
        var (_, id, scope) = await RunThenUpgradeAsync(server);
        var before = await JobCountAsync(server, scope);

        var run = await ReplayAsync(server, id);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"Job {id} has no replay bundle (replay bundles were off when it ran, or it expired); nothing was replayed.", run.StderrLines.Single());
        Assert.Equal(before, await JobCountAsync(server, scope));
    }

    [Fact] // TEN-4: a suspended tenant's jobs are not replayed; nothing is enqueued
    public async Task Replay_of_a_suspended_tenants_job_is_refused_and_nothing_is_enqueued()
    {
        await using var server = await StartAsync();
        var (_, id, scope) = await RunThenUpgradeAsync(server);
        await server.Operator.SuspendTenantAsync("acme", CancellationToken.None);
        var before = await JobCountAsync(server, scope);

        var run = await ReplayAsync(server, id);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Tenant acme is suspended; resume it before replaying its jobs.", run.StderrLines.Single());
        Assert.Equal(before, await JobCountAsync(server, scope));
        var refusal = Assert.Single(await AuditAsync(server, scope), e => e.Action == "job.replay");
        Assert.Equal("denied", refusal.Outcome);
    }

    [Fact] // SEC-1, SEC-3: the bundle names the secret, no byte of its value is stored; the replay reads the current value
    public async Task No_secret_value_is_in_the_bundle_manifest_or_database_and_the_replay_resolves_it_afresh()
    {
        var secrets = Directory.CreateTempSubdirectory("bulwark-replay-secrets-").FullName;
        try
        {
            var first = "sv-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
            var rotated = "sv-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
            Directory.CreateDirectory(Path.Join(secrets, "dev", "acme"));
            var file = Path.Join(secrets, "dev", "acme", "demo_key");
            await File.WriteAllTextAsync(file, first + "\n");
            await using var server = await StartAsync(secretsDir: secrets);
            var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
            await server.ApplyTemplateAsync(ManifestTests.Template("v1 $DEMO_KEY $(printf %s $DEMO_KEY | sha256sum | cut -c1-64)", Key, "[demo_key]"));
            var id = (await server.SubmitAsync(key, new { template = Key, inputs = new { n = 1 } })).GetProperty("id").GetString()!;
            await server.WaitForStateAsync(key, id, "succeeded");
            var manifest = await ManifestTests.WaitForManifestAsync(server, key, id);

            var bundle = (await ((IManifestStore)server.Store).FindReplayBundleAsync(id, CancellationToken.None))!;
            Assert.Equal(["demo_key"], JsonDocument.Parse(bundle.Json).RootElement.GetProperty("secret_names").EnumerateArray().Select(e => e.GetString()));
            Assert.DoesNotContain(first, bundle.Json, StringComparison.Ordinal);
            Assert.DoesNotContain(first, manifest.GetRawText(), StringComparison.Ordinal);
            foreach (var path in Directory.GetFiles(server.Options.DataDir, "bulwark.db*"))
            {
                Assert.DoesNotContain(first, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(path)), StringComparison.Ordinal);
            }

            // SEC-3: rotated since; the replay's run sees the current value.
            await File.WriteAllTextAsync(file, rotated + "\n");
            var run = await ReplayAsync(server, id);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("secrets: demo_key", run.Stdout, StringComparison.Ordinal);
            var replayId = run.StdoutLines[^1];
            await server.WaitForStateAsync(key, replayId, "succeeded");
            Assert.Contains($"v1 [REDACTED] {Sha256(rotated)}", await server.LogsAsync(key, replayId), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(secrets, recursive: true);
        }
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
