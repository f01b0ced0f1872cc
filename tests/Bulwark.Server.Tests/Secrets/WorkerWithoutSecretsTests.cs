using Bulwark.Core.Jobs;
using Bulwark.Core.Sandbox;
using Bulwark.Core.Templates;
using Bulwark.Server.Execution;

namespace Bulwark.Server.Tests.Secrets;

/// <summary>
/// SEC-2, AUTH-7: a remote <c>bulwark worker</c> has no secret providers (the value never crosses
/// the worker API), so a template with secrets fails there for good, naming them, before anything
/// runs; its output is still redacted of credentials (SEC-4).
/// </summary>
public sealed class WorkerWithoutSecretsTests
{
    private sealed class RecordingSandbox(string stdout) : ISandbox
    {
        public List<SandboxRequest> Requests { get; } = [];

        public SandboxHealth Health { get; } = new(true, "test", "recording");

        public Task<SandboxResult> RunAsync(SandboxRequest request, CancellationToken ct)
        {
            Requests.Add(request);
            return Task.FromResult(new SandboxResult { Termination = SandboxTermination.Exited, ExitCode = 0, Stdout = stdout, Stderr = "", Duration = TimeSpan.Zero });
        }
    }

    private static ClaimedJob Claimed(params string[] secrets)
    {
        var now = DateTimeOffset.UnixEpoch;
        var definition = new TemplateDefinition { Key = "t", Kind = TemplateKind.Script, Command = ["/bin/true"], Secrets = secrets };
        var job = new Job
        {
            Id = "job_1", TenantId = "ten_1", TemplateKey = "t", TemplateVersion = 1, State = JobState.Running, Attempts = 1,
            MaxAttempts = 1, Priority = 0, InputsJson = "{}", RunAt = now, CreatedAt = now,
        };
        return new ClaimedJob(job, new Lease("job_1", 1, "lease"), now.AddMinutes(1), new JobTemplate("tpl_1", null, 1, now, definition));
    }

    [Fact]
    public async Task Template_with_secrets_fails_permanently_naming_them_and_nothing_runs()
    {
        var sandbox = new RecordingSandbox("");

        var result = await new ScriptExecutor(sandbox).ExecuteAsync(Claimed("demo_key"), CancellationToken.None);

        Assert.Equal(AttemptResultKind.PermanentFailure, result.Kind);
        Assert.Equal("secrets_unavailable", result.ErrorCode);
        Assert.Contains("demo_key", result.Error, StringComparison.Ordinal);
        Assert.Empty(sandbox.Requests);
    }

    [Fact]
    public async Task Output_of_a_run_without_secrets_is_still_redacted_of_credentials()
    {
        var sandbox = new RecordingSandbox("curl -H 'Authorization: Bearer abc.def'\nok\n");

        var result = await new ScriptExecutor(sandbox).ExecuteAsync(Claimed(), CancellationToken.None);

        Assert.Equal(AttemptResultKind.Succeeded, result.Kind);
        Assert.Equal("curl -H 'Authorization: [REDACTED]\nok\n", result.Stdout);
    }
}
