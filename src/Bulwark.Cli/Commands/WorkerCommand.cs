using System.CommandLine;
using System.Text.Json;
using Bulwark.Client;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Hosting;
using Bulwark.Server.Worker;
using Microsoft.Extensions.Logging;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark worker --server URL</c> (AUTH-7, JOB-3): a remote worker that claims through the worker
/// API and runs jobs in this host's own sandbox, until Ctrl+C or SIGTERM.
/// </summary>
internal static class WorkerCommand
{
    public const string TokenVariable = "BULWARK_WORKER_TOKEN";
    public const string IdVariable = "BULWARK_WORKER_ID";

    public static Command Create(CliContext cli)
    {
        var server = new Option<string>("--server")
        {
            Description = "Base URL of the Bulwark server whose worker API to use.",
            HelpName = "URL",
            Required = true,
        };
        var workers = new Option<int?>("--workers") { Description = "Concurrent runs (default 4).", HelpName = "N" };
        var data = new Option<string?>("--data")
        {
            Description = "Directory for this worker's run work dirs (default ./bulwark-worker).",
            HelpName = "DIR",
        };
        var command = new Command(
            "worker",
            $"Run jobs for a Bulwark server from another host: claim them through its worker API (/worker/v1), run each "
            + "in this host's own bubblewrap sandbox, keep the lease with heartbeats and report the outcome. The credential "
            + $"is {TokenVariable} (the server's worker token, at least 32 characters) with this worker's id ({IdVariable}, "
            + "default host name and process id). Sandbox settings come from BULWARK_SANDBOX_UID, BULWARK_SANDBOX_GID, "
            + "BULWARK_SANDBOX_BWRAP_PATH, the lease from BULWARK_LEASE_SECONDS. Jobs run here get no runtime API: "
            + "no BULWARK_TASK_TOKEN and no BULWARK_RUNTIME_SOCKET (that API is local to the server's own node). "
            + "Stops on Ctrl+C or SIGTERM: runs in flight are killed and reported as nothing, so their leases "
            + "expire and the server gives the jobs to the next worker.")
        {
            server,
            workers,
            data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var token = cli.Variable(TokenVariable)
                ?? throw new CliFailure($"{TokenVariable} must be set to the server's worker token.");
            if (!Uri.TryCreate(parse.GetValue(server), UriKind.Absolute, out var serverUri)
                || serverUri.Scheme is not ("http" or "https"))
            {
                throw new CliFailure("--server must be an http or https URL.");
            }

            var settings = BulwarkConfiguration.Load(cli.Environment);
            var workerId = cli.Variable(IdVariable) ?? DefaultWorkerId();
            if (!Identifiers.IsValid(workerId))
            {
                throw new CliFailure($"{IdVariable} must match ^[a-zA-Z0-9_.:-]{{1,100}}$.");
            }

            var options = new RemoteWorkerOptions
            {
                Workers = parse.GetValue(workers) ?? 4,
                DataDir = parse.GetValue(data) ?? "./bulwark-worker",
                LeaseSeconds = settings.LeaseSeconds,
                PollMilliseconds = settings.PollMilliseconds,
                BwrapPath = settings.SandboxBwrapPath,
                SandboxUid = settings.SandboxUid,
                SandboxGid = settings.SandboxGid,
            };
            if (options.Workers is < 1 or > 256)
            {
                throw new CliFailure("--workers must be between 1 and 256.");
            }

            using var client = new WorkerApi(WorkerClient.Create(serverUri, token, workerId));
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            var worker = new RemoteWorker(client, options, loggers);
            worker.EnsureSandbox();
            using var shutdown = new ShutdownSignal(ct);
            await cli.Stdout.WriteLineAsync($"Bulwark worker {workerId} claiming from {serverUri}");
            await cli.Stdout.FlushAsync(CancellationToken.None);
            await worker.RunAsync(shutdown.Token);
            await cli.Stdout.WriteLineAsync("Bulwark worker stopped");
            return 0;
        }));
        return command;
    }

    private static string DefaultWorkerId()
    {
        var host = new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-').ToArray());
        var id = $"{host}:{Environment.ProcessId}";
        return id.Length <= 100 ? id : id[^100..];
    }

    /// <summary>The worker API in the platform's own types: wire records in and out, HTTP errors as typed errors.</summary>
    private sealed class WorkerApi(WorkerClient client) : IWorkerApi, IDisposable
    {
        public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(int max, TimeSpan lease, CancellationToken ct)
        {
            var jobs = await Call(() => client.ClaimAsync(max, (int)lease.TotalSeconds, ct));
            var claimed = new List<ClaimedJob>(jobs.Count);
            foreach (var job in jobs)
            {
                if (ToClaimed(job) is { } ok)
                {
                    claimed.Add(ok);
                    continue;
                }

                // A template this worker cannot read (a newer server?) can never run here: say so at once.
                await CompleteAsync(
                    new Lease(job.JobId, job.Attempt, job.LeaseToken),
                    new AttemptResult
                    {
                        Kind = AttemptResultKind.RetryableFailure,
                        Error = "The remote worker could not read the job's template.",
                        ErrorCode = "unreadable_template",
                    },
                    ct);
            }

            return claimed;
        }

        public Task<bool> HeartbeatAsync(Lease lease, CancellationToken ct) =>
            Call(() => client.HeartbeatAsync(lease.JobId, lease.Attempt, lease.Token, ct));

        public Task CompleteAsync(Lease lease, AttemptResult result, CancellationToken ct) =>
            Call(async () =>
            {
                await client.CompleteAsync(
                    new WorkerCompletion
                    {
                        JobId = lease.JobId,
                        Attempt = lease.Attempt,
                        LeaseToken = lease.Token,
                        Outcome = result.Kind switch
                        {
                            AttemptResultKind.Succeeded => "succeeded",
                            AttemptResultKind.RetryableFailure => "retryable_failure",
                            AttemptResultKind.PermanentFailure => "permanent_failure",
                            _ => "cancelled",
                        },
                        Result = result.ResultJson is null ? null : JsonDocument.Parse(result.ResultJson).RootElement.Clone(),
                        Error = result.Error,
                        ErrorCode = result.ErrorCode,
                        ExitCode = result.ExitCode,
                        Stdout = result.Stdout,
                        Stderr = result.Stderr,
                    },
                    ct);
                return true;
            });

        private static ClaimedJob? ToClaimed(WorkerJob job)
        {
            TemplateDefinition definition;
            try
            {
                definition = TemplateFile.Parse(job.Template.GetRawText());
            }
            catch (BulwarkException)
            {
                return null;
            }

            var now = DateTimeOffset.UtcNow;
            var lease = new Lease(job.JobId, job.Attempt, job.LeaseToken);
            var template = new JobTemplate($"{job.TemplateKey}@{job.TemplateVersion}", null, job.TemplateVersion, now, definition);
            var claimed = new Job
            {
                Id = job.JobId,
                TenantId = job.TenantId,
                TemplateKey = job.TemplateKey,
                TemplateVersion = job.TemplateVersion,
                State = JobState.Running,
                Attempts = job.Attempt,
                MaxAttempts = job.MaxAttempts,
                Priority = 0,
                InputsJson = job.Inputs.GetRawText(),
                RunAt = now,
                CreatedAt = now,
                StartedAt = now,
            };
            return new ClaimedJob(claimed, lease, job.LeaseExpiresAt, template);
        }

        private static async Task<T> Call<T>(Func<Task<T>> call)
        {
            try
            {
                return await call();
            }
            catch (BulwarkApiException e)
            {
                throw e.Status switch
                {
                    409 => new ConflictException(e.Message, e.Code),
                    401 => new UnauthenticatedException(
                        $"The server refused this worker's credential ({TokenVariable} and the worker id)."),
                    404 => new NotFoundException(
                        $"The server has no worker API: {TokenVariable} is not set on it."),
                    >= 500 => new UnavailableException(e.Message),
                    _ => new InvalidPayloadException(e.Message, e.Code),
                };
            }
        }

        public void Dispose() => client.Dispose();
    }
}
