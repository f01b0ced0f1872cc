using System.Globalization;
using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Sandbox;
using Bulwark.Core.Templates;
using Bulwark.Server.Runtime;

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
/// </remarks>
internal sealed class ScriptExecutor(ISandbox sandbox, RuntimeAccess? runtime = null) : IJobExecutor
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
        var environment = EnvironmentFor(claimed);
        var grant = runtime?.GrantFor(claimed);
        if (grant is not null)
        {
            environment[RuntimeAccess.TokenVariable] = grant.Token;
        }

        var request = new SandboxRequest
        {
            RunId = $"{claimed.Job.Id}-{claimed.Lease.Attempt}",
            Command = definition.Command,
            Environment = environment,
            Stdin = claimed.Job.InputsJson,
            Limits = definition.Limits,
            RuntimeSocket = grant?.SocketPath,
        };

        SandboxResult run;
        try
        {
            run = await sandbox.RunAsync(request, ct);
        }
        catch (UnavailableException e)
        {
            return new AttemptResult { Kind = AttemptResultKind.PermanentFailure, Error = e.Message, ErrorCode = e.Code };
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
