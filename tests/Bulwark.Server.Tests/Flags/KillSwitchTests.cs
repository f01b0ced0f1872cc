using System.Net;
using System.Text.Json;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Flags;
using Bulwark.Server.Tests.Cli;
using Bulwark.Server.Tests.Policy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Flags;

/// <summary>FLAG-1, FLAG-2, FLAG-4: the emergency switch stops new work of a family, and work already queued.</summary>
public sealed class KillSwitchTests
{
    private const string Autopilot = "autopilot.tidy";

    [Fact] // FLAG-4: `bulwark flags off-all`, then an action template is refused 403 feature_disabled and no job row exists
    public async Task Off_all_then_an_action_submit_is_refused_and_creates_nothing()
    {
        var (server, key) = await PolicyServer.StartAsync();
        await using var _ = server;
        var token = await PolicyServer.IssueAsync(server, key);
        using var cli = new CliHarness();

        var run = await cli.RunAsync("flags", "off-all", "--data", server.Options.DataDir);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("action_jobs: - -> off", run.StdoutLines);
        var jobsKey = await server.NewKeyAsync("acme", [.. PolicyServer.CallerScopes, Scopes.FlagsRead]);
        await FlagProbe.WaitForEnabledAsync(server.Http, jobsKey, "action_jobs", false);

        using var response = await PolicyServer.SubmitAsync(server, key, token);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("feature_disabled", JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
        var jobs = await server.Store.ListJobsAsync(await PolicyServer.ScopeAsync(server), new JobQuery(), CancellationToken.None);
        Assert.Empty(jobs.Jobs);
    }

    [Fact] // FLAG-1: dry runs follow the family flag too
    public async Task A_dry_run_of_a_family_that_is_off_is_refused()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", Scopes.JobsWrite);
        await server.ApplyTemplateAsync(TemplateFiles.Script(Autopilot, "echo tidy"));

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, new { template = Autopilot, dry_run = true });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("feature_disabled", JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
    }

    [Theory] // FLAG-1: the family is the key's prefix in any case; a capital letter is no way around the flag
    [InlineData("Autopilot.restart")]
    [InlineData("AUTOPILOT.restart")]
    [InlineData("Verify.check")]
    public async Task A_family_prefix_in_other_case_is_refused_and_creates_nothing(string template)
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", Scopes.JobsWrite, Scopes.JobsRead);
        await server.ApplyTemplateAsync(TemplateFiles.Script(template, "echo ran"));

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, new { template });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("feature_disabled", JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
        var scope = TenantScope.Of((await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!);
        Assert.Empty((await server.Store.ListJobsAsync(scope, new JobQuery(), CancellationToken.None)).Jobs);
    }

    [Fact] // FLAG-2: a queued autopilot job whose flag goes off before it runs ends failed/feature_disabled and runs nothing
    public async Task A_queued_job_whose_family_goes_off_before_it_runs_fails_without_running()
    {
        // No local workers at first, so the job is certainly still queued when the flag goes off.
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.AutopilotJobsEnabled = true;
            o.LocalWorkers = false;
        });
        var key = await server.NewTenantKeyAsync("acme", Scopes.JobsWrite, Scopes.JobsRead);
        await server.ApplyTemplateAsync(TemplateFiles.Script(Autopilot, "echo ran-it"));
        var id = (await server.SubmitAsync(key, new { template = Autopilot })).GetProperty("id").GetString()!;
        await new FlagCommands(server.Store, TimeProvider.System).SetAsync("autopilot_jobs", false, tenantName: null, CancellationToken.None);

        // The restarted node loads the store's flags before its workers start.
        server.Options.LocalWorkers = true;
        await server.RestartAsync();
        var job = await server.WaitForStateAsync(key, id, "failed", "succeeded", "dead");

        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Equal("feature_disabled", job.GetProperty("error_code").GetString());
        Assert.DoesNotContain("ran-it", await server.LogsAsync(key, id), StringComparison.Ordinal);
    }

    [Fact] // FLAG-2, AUTH-7: the worker API's claim path applies the same switch: the job never reaches a remote worker
    public async Task The_worker_claim_path_fails_a_job_whose_family_is_off_instead_of_handing_it_out()
    {
        const string workerToken = "flags-worker-token-0123456789abcdefghij";
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.AutopilotJobsEnabled = true;
            o.LocalWorkers = false;
            o.WorkerToken = workerToken;
        });
        var key = await server.NewTenantKeyAsync("acme", Scopes.JobsWrite, Scopes.JobsRead, Scopes.FlagsRead);
        await server.ApplyTemplateAsync(TemplateFiles.Script(Autopilot, "echo ran-it"));
        var id = (await server.SubmitAsync(key, new { template = Autopilot })).GetProperty("id").GetString()!;
        await new FlagCommands(server.Store, TimeProvider.System).SetAsync("autopilot_jobs", false, tenantName: null, CancellationToken.None);
        await FlagProbe.WaitForEnabledAsync(server.Http, key, "autopilot_jobs", false);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/worker/v1/claim")
        {
            Content = new StringContent("{\"max\":4}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", workerToken);
        request.Headers.Add("X-Worker-Id", "w1");
        using var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Empty(JsonDocument.Parse(text).RootElement.GetProperty("jobs").EnumerateArray());
        var job = await server.GetJobAsync(key, id);
        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Equal("feature_disabled", job.GetProperty("error_code").GetString());
    }
}
