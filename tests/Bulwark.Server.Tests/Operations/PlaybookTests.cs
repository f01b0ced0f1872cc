using System.Net;
using System.Text.Json;
using Bulwark.Core.Jobs;
using Bulwark.Server.Tests.Cli;
using Bulwark.Server.Tests.Policy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Operations;

/// <summary>
/// FLAG-4, docs/operations.md: each step of the incident playbook, run with the operator's own
/// commands against the store of a real server that has action jobs enabled in its configuration.
/// Waits are bounded polls; only the outcome is asserted, never how long it took.
/// </summary>
public sealed class PlaybookTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public PlaybookTests()
    {
        // The operator's configuration is the server's: action jobs on, the same policy secret.
        _cli.Environment["BULWARK_ACTION_JOBS_ENABLED"] = "1";
        _cli.Environment["BULWARK_POLICY_TOKEN_SECRET"] = PolicyServer.Secret;
        // The job uid ServerFixture uses, so doctor's sandbox probe is the server's.
        _cli.Environment["BULWARK_SANDBOX_UID"] = "61000";
        _cli.Environment["BULWARK_SANDBOX_GID"] = "61000";
    }

    public void Dispose() => _cli.Dispose();

    /// <summary>An operator command on the running server's store.</summary>
    private Task<CliRun> OperatorAsync(ServerFixture server, params string[] args) =>
        _cli.RunAsync([.. args, "--data", server.Options.DataDir]);

    private static async Task<CliRun> SucceedsAsync(Task<CliRun> command)
    {
        var run = await command;
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    private static async Task<long> JobCountAsync(ServerFixture server) =>
        (await server.Store.ListJobsAsync(await PolicyServer.ScopeAsync(server), new JobQuery(), CancellationToken.None)).Jobs.Count;

    /// <summary>Polls <paramref name="status"/> until it answers <paramref name="expected"/>; fails after a generous bound.</summary>
    private static async Task UntilAsync(Func<Task<HttpStatusCode>> status, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HttpStatusCode last;
        while ((last = await status()) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"still {(int)last}, never {(int)expected}");
            await Task.Delay(100);
        }
    }

    /// <summary>A dry run passes the same family-flag check as a real submit and creates nothing: safe to poll with.</summary>
    private static async Task<HttpStatusCode> DryRunStatusAsync(ServerFixture server, string key)
    {
        using var response = await PolicyServer.SubmitAsync(server, key, PolicyServer.Mint(), dryRun: true);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> WhoAmIStatusAsync(ServerFixture server, string key)
    {
        using var response = await server.SendAsync(HttpMethod.Get, "/v1/whoami", key);
        return response.StatusCode;
    }

    /// <summary>The running server, an action job that works before the incident, and the caller's key.</summary>
    private static async Task<(ServerFixture Server, string Key)> BeforeTheIncidentAsync()
    {
        var (server, key) = await PolicyServer.StartAsync();
        using var submitted = await PolicyServer.SubmitAsync(server, key, PolicyServer.Mint());
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        return (server, key);
    }

    [Fact] // FLAG-4 step 1, FLAG-2: the emergency switch holds on a node configured with action jobs on
    public async Task Disable_off_all_refuses_action_jobs_with_feature_disabled_and_creates_no_job()
    {
        var (server, key) = await BeforeTheIncidentAsync();
        await using var _ = server;

        await SucceedsAsync(OperatorAsync(server, "flags", "off-all"));
        await UntilAsync(() => DryRunStatusAsync(server, key), HttpStatusCode.Forbidden);
        var jobs = await JobCountAsync(server);
        using var refused = await PolicyServer.SubmitAsync(server, key, PolicyServer.Mint());

        await Problem.AssertAsync(refused, HttpStatusCode.Forbidden, "feature_disabled");
        Assert.Equal(jobs, await JobCountAsync(server));
    }

    [Fact] // FLAG-4 step 1, AUTH-5: a revoked key is refused on the running node
    public async Task Disable_keys_revoke_makes_the_key_unauthenticated()
    {
        await using var server = await ServerFixture.StartAsync();
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        var (record, key) = await server.Operator.CreateKeyAsync("acme", ["jobs:read"], null, null, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, await WhoAmIStatusAsync(server, key));

        await SucceedsAsync(OperatorAsync(server, "keys", "revoke", record.Id));

        await UntilAsync(() => WhoAmIStatusAsync(server, key), HttpStatusCode.Unauthorized);
        using var refused = await server.SendAsync(HttpMethod.Get, "/v1/whoami", key);
        await Problem.AssertAsync(refused, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact] // FLAG-4 step 1, TEN-4: a suspended tenant's credentials are refused and its queued jobs stay queued
    public async Task Disable_tenants_suspend_makes_every_credential_of_the_tenant_unauthenticated()
    {
        var (server, key) = await BeforeTheIncidentAsync();
        await using var _ = server;
        var other = await server.NewTenantKeyAsync("other", "jobs:read");

        await SucceedsAsync(OperatorAsync(server, "tenants", "suspend", "acme"));

        await UntilAsync(() => WhoAmIStatusAsync(server, key), HttpStatusCode.Unauthorized);
        var jobs = await JobCountAsync(server);
        using var refused = await PolicyServer.SubmitAsync(server, key, PolicyServer.Mint());
        await Problem.AssertAsync(refused, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(jobs, await JobCountAsync(server));
        // Only that tenant: another tenant's key still works.
        Assert.Equal(HttpStatusCode.OK, await WhoAmIStatusAsync(server, other));
    }

    [Fact] // FLAG-4 step 2, FLAG-3: doctor and flags show the store's off values as effective
    public async Task Verify_doctor_and_flags_show_every_flag_off_after_off_all()
    {
        var (server, _) = await BeforeTheIncidentAsync();
        await using var __ = server;
        await SucceedsAsync(OperatorAsync(server, "flags", "off-all"));

        var doctor = await SucceedsAsync(OperatorAsync(server, "doctor"));
        var flags = await SucceedsAsync(OperatorAsync(server, "flags"));

        Assert.Equal("safe to deploy", doctor.StdoutLines[^1]);
        var row = Assert.Single(doctor.StdoutLines, l => l.StartsWith("action_jobs ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["action_jobs", "on", "off", "off"], row[..4]);
        Assert.Contains(flags.StdoutLines, l => l.StartsWith("action_jobs ", StringComparison.Ordinal) && l.Contains("off", StringComparison.Ordinal));
    }

    [Fact] // FLAG-4 step 3, AUD-2: the chain is whole and the incident window holds the operator's switch
    public async Task Assess_audit_verify_is_whole_and_the_export_window_holds_the_off_all_entry()
    {
        var (server, key) = await BeforeTheIncidentAsync();
        await using var _ = server;
        var from = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O");
        await SucceedsAsync(OperatorAsync(server, "flags", "off-all"));
        await UntilAsync(() => DryRunStatusAsync(server, key), HttpStatusCode.Forbidden);
        var to = DateTimeOffset.UtcNow.AddMinutes(1).ToString("O");

        await SucceedsAsync(OperatorAsync(server, "audit", "verify"));
        var export = await SucceedsAsync(OperatorAsync(server, "audit", "export", "--from", from, "--to", to));

        var actions = export.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("action").GetString()).ToList();
        Assert.Contains("flag.off_all", actions);
        Assert.Contains("job.submit", actions);
        using var jobs = await server.SendAsync(HttpMethod.Get, "/v1/jobs?state=queued", key);
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
    }

    [Fact] // FLAG-4 step 4: one flag back on and the tenant resumed, and action jobs run again
    public async Task Restore_flags_set_on_and_tenants_resume_make_action_jobs_work_again()
    {
        var (server, key) = await BeforeTheIncidentAsync();
        await using var _ = server;
        await SucceedsAsync(OperatorAsync(server, "flags", "off-all"));
        await SucceedsAsync(OperatorAsync(server, "tenants", "suspend", "acme"));
        await UntilAsync(() => WhoAmIStatusAsync(server, key), HttpStatusCode.Unauthorized);

        await SucceedsAsync(OperatorAsync(server, "flags", "set", "action_jobs", "on"));
        await SucceedsAsync(OperatorAsync(server, "tenants", "resume", "acme"));

        await UntilAsync(() => DryRunStatusAsync(server, key), HttpStatusCode.OK);
        using var submitted = await PolicyServer.SubmitAsync(server, key, PolicyServer.Mint());
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var doctor = await OperatorAsync(server, "doctor");
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        Assert.Equal("safe to deploy", doctor.StdoutLines[^1]);
    }
}
