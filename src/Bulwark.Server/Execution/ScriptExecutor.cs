using System.Globalization;
using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Redaction;
using Bulwark.Core.Sandbox;
using Bulwark.Core.Secrets;
using Bulwark.Core.Templates;
using Bulwark.Server.Runtime;
using Bulwark.Server.Secrets;

namespace Bulwark.Server.Execution;

/// <summary>
/// Script jobs: the template's command in the sandbox, the inputs as JSON on stdin and in
/// <c>BULWARK_INPUTS</c>, <c>env_from_inputs</c> mapped to variables. The environment is built
/// from nothing: the server's own variables never reach the job.
/// </summary>
/// <remarks>
/// With <paramref name="runtime"/> (always, in the server) each attempt also gets its capability
/// token in <c>BULWARK_TASK_TOKEN</c> and the runtime socket mounted (BOX-3, AUTHZ-5): the only
/// credential and the only way out that job code has.
/// With <paramref name="secrets"/> (in the server) the template's secrets are resolved at each
/// launch and reach the job as variables only through the sandbox's private environment (SEC-2);
/// without (a remote <c>bulwark worker</c>) a template with secrets fails, naming them. Either way
/// stdout and stderr are redacted before they leave this executor (SEC-4).
/// With <paramref name="live"/> (the server's own workers, which have the store) stdout and
/// stderr reach the attempt's logs while the run goes on (JOB-6), redacted as they stream; the
/// result then carries only what was not yet stored. A remote <c>bulwark worker</c> has no store
/// and no log channel: it passes no sink, and the whole output travels in the result at the end.
/// </remarks>
internal sealed class ScriptExecutor(
    ISandbox sandbox, RuntimeAccess? runtime = null, RunSecrets? secrets = null, LiveLogs? live = null) : IJobExecutor
{
    public TemplateKind Kind => TemplateKind.Script;

    public void EnsureAvailable()
    {
        var health = sandbox.Health;
        if (!health.Usable)
        {
            throw new UnavailableException($"Script jobs are refused: {health.Detail}", "sandbox_unavailable");
        }
    }

    public async Task<AttemptResult> ExecuteAsync(ClaimedJob claimed, CancellationToken ct)
    {
        var definition = claimed.Template.Definition;
        RunSecretSet runSecrets;
        try
        {
            runSecrets = await ResolveSecretsAsync(claimed, ct);
        }
        catch (SecretRefusedException e)
        {
            // Permanent: retrying cannot make a secret appear; the message names it, never a value.
            return new AttemptResult { Kind = AttemptResultKind.PermanentFailure, Error = e.Message, ErrorCode = e.Code };
        }

        var environment = EnvironmentFor(claimed);
        // After the inputs, so an input can never stand in for a secret; before the token, so a secret cannot replace it.
        runSecrets.AddTo(environment);
        var grant = runtime?.GrantFor(claimed);
        if (grant is not null)
        {
            environment[RuntimeAccess.TokenVariable] = grant.Token;
        }

        // SEC-4: the live path redacts with the run's own redactor, as the whole-buffer one does.
        await using var output = live?.Start(claimed.Lease, runSecrets.Redactor);
        var request = new SandboxRequest
        {
            RunId = $"{claimed.Job.Id}-{claimed.Lease.Attempt}",
            Command = definition.Command,
            Environment = environment,
            Stdin = claimed.Job.InputsJson,
            Limits = definition.Limits,
            RuntimeSocket = grant?.SocketPath,
            OutputSink = output,
        };

        SandboxResult run;
        try
        {
            using (secrets?.Open(claimed.Lease, runSecrets.Redactor))
            {
                run = await sandbox.RunAsync(request, ct);
            }
        }
        catch (UnavailableException e)
        {
            return new AttemptResult { Kind = AttemptResultKind.PermanentFailure, Error = e.Message, ErrorCode = e.Code };
        }

        if (output is null)
        {
            run = Redacted(run, runSecrets.Redactor);
        }
        else
        {
            // What is already in the logs is not in the result: the completion stores only the rest.
            var (stdout, stderr) = await output.CompleteAsync(truncated: run.Termination == SandboxTermination.OutputLimit);
            run = run with { Stdout = stdout, Stderr = stderr };
        }

        var limits = definition.Limits;
        return run.Termination switch
        {
            SandboxTermination.Exited when run.ExitCode == 0 => With(run, AttemptResultKind.Succeeded, null),
            SandboxTermination.Exited => With(run, AttemptResultKind.RetryableFailure, $"The script exited with code {run.ExitCode}."),
            SandboxTermination.Cancelled => With(run, AttemptResultKind.Cancelled, "The run was cancelled."),
            // BOX-2: every limit kill names the limit, so the user knows what to raise or fix.
            SandboxTermination.Timeout => With(run, AttemptResultKind.RetryableFailure,
                $"The run exceeded its {limits.TimeoutSeconds} s timeout and was killed."),
            SandboxTermination.OutputLimit => With(run, AttemptResultKind.RetryableFailure,
                $"The run wrote more than its {limits.OutputKb} KiB output limit and was killed."),
            SandboxTermination.MemoryLimit => With(run, AttemptResultKind.RetryableFailure,
                $"The run used more than its {limits.MemoryMb} MiB memory limit and was killed."),
            SandboxTermination.CpuLimit => With(run, AttemptResultKind.RetryableFailure,
                $"The run used more than its {limits.CpuSeconds} s of CPU time and was killed."),
            SandboxTermination.ProcessLimit => With(run, AttemptResultKind.RetryableFailure,
                $"The run reached its limit of {limits.MaxProcesses} processes and was killed."),
            SandboxTermination.FileSizeLimit => With(run, AttemptResultKind.RetryableFailure,
                "The run wrote a file larger than its file-size limit and was killed."),
            _ => throw new InvalidOperationException($"Unknown termination {run.Termination}."),
        };
    }

    private async Task<RunSecretSet> ResolveSecretsAsync(ClaimedJob claimed, CancellationToken ct)
    {
        if (secrets is not null)
        {
            return await secrets.ResolveAsync(claimed, ct);
        }

        var names = claimed.Template.Definition.Secrets;
        if (names.Count > 0)
        {
            throw new SecretRefusedException(
                $"This worker cannot provide secrets ({string.Join(", ", names)}): templates with secrets run on the server's own workers.",
                "secrets_unavailable");
        }

        return new RunSecretSet([], Redactor.Credentials);
    }

    /// <summary>
    /// SEC-4: the output as it may be stored and shown. Output cut at the limit may end in the
    /// first half of a value, which goes too.
    /// </summary>
    private static SandboxResult Redacted(SandboxResult run, Redactor redactor)
    {
        var cut = run.Termination == SandboxTermination.OutputLimit;
        return run with
        {
            Stdout = cut ? redactor.RedactTruncated(run.Stdout) : redactor.Redact(run.Stdout),
            Stderr = cut ? redactor.RedactTruncated(run.Stderr) : redactor.Redact(run.Stderr),
        };
    }

    /// <summary>The error code is the termination's name (<c>timeout</c>, <c>memory_limit</c>…), or <c>exit_code</c>.</summary>
    private static AttemptResult With(SandboxResult run, AttemptResultKind kind, string? error) => new()
    {
        Kind = kind,
        Error = error,
        ErrorCode = kind == AttemptResultKind.Succeeded ? null
            : run.Termination == SandboxTermination.Exited ? "exit_code"
            : run.Termination.ToName(),
        ExitCode = run.ExitCode,
        Stdout = run.Stdout,
        Stderr = run.Stderr,
        ResultJson = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["exit_code"] = run.ExitCode,
            ["termination"] = run.Termination.ToName(),
            ["duration_ms"] = (long)run.Duration.TotalMilliseconds,
        }),
    };

    private static Dictionary<string, string> EnvironmentFor(ClaimedJob claimed)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BULWARK_INPUTS"] = claimed.Job.InputsJson,
            ["BULWARK_JOB_ID"] = claimed.Job.Id,
            ["BULWARK_ATTEMPT"] = claimed.Lease.Attempt.ToString(CultureInfo.InvariantCulture),
        };

        using var inputs = JsonDocument.Parse(claimed.Job.InputsJson);
        foreach (var (variable, inputName) in claimed.Template.Definition.EnvFromInputs)
        {
            if (inputs.RootElement.TryGetProperty(inputName, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                env[variable] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            }
        }

        return env;
    }
}
