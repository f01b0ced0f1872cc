using System.Text;
using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Templates;
using Bulwark.Server.Hosting;
using Bulwark.Server.Http;
using Bulwark.Server.Manifests;
using Bulwark.Server.Runtime;
using Bulwark.Server.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Worker;

/// <summary>
/// <c>/worker/v1</c> (AUTH-7, JOB-3): remote <c>bulwark worker</c>s claim jobs, keep their leases
/// with heartbeats and report how each attempt ended. The server decides the next state from the
/// report (<see cref="AttemptOutcomes.Decide"/>) and writes it under the lease's fence, so a stale
/// worker writes nothing (409). Without <c>BULWARK_WORKER_TOKEN</c> the routes do not exist (404).
/// </summary>
internal static class WorkerEndpoints
{
    public const string Prefix = "/worker/v1";

    private const int MaxDepth = 64;
    private const int MaxClaim = 256;
    private const int MaxErrorChars = 4096;
    private const int MaxErrorCodeChars = 64;

    // stdout and stderr may each reach the largest output_kb a template can have (64 MiB).
    private const long MaxCompleteBytes = 2L * 64 * 1024 * 1024 + RuntimeEndpoints.MaxResultBytes + 64 * 1024;

    private static readonly string[] ClaimFields = ["max", "lease_seconds"];
    private static readonly string[] HeartbeatFields = ["job_id", "attempt", "lease_token"];
    private static readonly string[] CompleteFields =
        ["job_id", "attempt", "lease_token", "outcome", "result", "error", "error_code", "exit_code", "stdout", "stderr", "retry_at"];

    public static void MapWorker(this IEndpointRouteBuilder routes)
    {
        if (!routes.ServiceProvider.GetRequiredService<WorkerToken>().Enabled)
        {
            return; // AUTH-7: no token, no worker API — the routes answer 404 like any unknown path.
        }

        var worker = routes.MapGroup(Prefix);
        worker.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var caller = await http.RequestServices.GetRequiredService<WorkerAuthenticator>()
                .AuthenticateAsync(http, http.RequestAborted);
            http.Features.Set(caller);
            return await next(context);
        });

        worker.MapPost("/claim", async (HttpContext http, IBulwarkStore store, RemoteLeases leases, BulwarkOptions options,
            TimeProvider time, ILogger<WorkerCaller> logger, Core.Flags.IFeatureFlags flags, ManifestRecorder manifests, NodeRuns nodeRuns) =>
        {
            using var body = await JsonBody.ReadAsync(http.Request, MaxDepth, http.RequestAborted);
            var root = body.RootElement;
            JsonBody.RequireOnly(root, ClaimFields);
            var max = JsonBody.OptionalInt(root, "max") ?? throw new InvalidPayloadException("The field 'max' is required.");
            if (max is < 1 or > MaxClaim)
            {
                throw new InvalidPayloadException($"The field 'max' must be between 1 and {MaxClaim}.");
            }

            var seconds = JsonBody.OptionalInt(root, "lease_seconds") ?? options.LeaseSeconds;
            if (seconds is < 2 or > 3600)
            {
                throw new InvalidPayloadException("The field 'lease_seconds' must be between 2 and 3600.");
            }

            var caller = WorkerCaller.Of(http);
            var extension = TimeSpan.FromSeconds(seconds);
            var claimed = await store.ClaimAsync("remote:" + caller.WorkerId, max, extension, time.GetUtcNow(), http.RequestAborted);
            var jobs = new List<ClaimedJobView>(claimed.Count);
            foreach (var job in claimed)
            {
                // FLAG-2: a job whose family flag went off while it waited ends here, never reaching the worker.
                if (Flags.KillSwitch.Refusal(flags, job) is { } refused)
                {
                    var channel = new StoreLeaseChannel(store, options, time);
                    if (await channel.CompleteAsync(job, refused, CancellationToken.None) is { } state)
                    {
                        await manifests.RecordAsync(job, refused, state, CancellationToken.None); // JOB-11
                    }

                    continue;
                }

                if (!NodeRuns.RunsRemotely(job.Template.Definition.Kind))
                {
                    // An http job: the egress guard, secrets and audit are the node's (NET-1); it runs here, under this claim.
                    await nodeRuns.StartAsync(job);
                    continue;
                }

                leases.Add(job, extension);
                jobs.Add(ClaimedJobView.Of(job));
            }

            if (claimed.Count > 0)
            {
                WorkerLog.Claimed(logger, caller.WorkerId, claimed.Count);
            }

            return TypedResults.Ok(new ClaimView(jobs));
        });

        worker.MapPost("/heartbeat", async (HttpContext http, IBulwarkStore store, RemoteLeases leases, TimeProvider time) =>
        {
            using var body = await JsonBody.ReadAsync(http.Request, MaxDepth, http.RequestAborted);
            var lease = ReadLease(body.RootElement, HeartbeatFields);
            var held = leases.Find(lease) ?? throw LeaseLost();
            bool cancel;
            try
            {
                var now = time.GetUtcNow();
                cancel = await store.HeartbeatAsync(lease, held.Extension, now, http.RequestAborted);
                held.ExpiresAt = now + held.Extension;
            }
            catch (ConflictException)
            {
                leases.Remove(held);
                throw;
            }

            held.CancelSeen |= cancel;
            return TypedResults.Ok(new WorkerHeartbeatView(cancel));
        });

        worker.MapPost("/complete", async (HttpContext http, IBulwarkStore store, RemoteLeases leases, BulwarkOptions options, TimeProvider time,
            ManifestRecorder manifests) =>
        {
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxCompleteBytes;
            }

            using var body = await JsonBody.ReadAsync(http.Request, MaxDepth, http.RequestAborted);
            var root = body.RootElement;
            var lease = ReadLease(root, CompleteFields);
            var held = leases.Find(lease) ?? throw LeaseLost();
            var result = ReadResult(root, held);
            JobState? next;
            try
            {
                next = await new StoreLeaseChannel(store, options, time).CompleteAsync(held.Claimed, result, http.RequestAborted);
            }
            catch (ConflictException)
            {
                leases.Remove(held); // stale: this lease can never complete now
                throw;
            }

            // Any other failure keeps the claim, so the worker's retry of the same completion can land.
            leases.Remove(held);
            if (next is { } state)
            {
                await manifests.RecordAsync(held.Claimed, result, state, CancellationToken.None); // JOB-11
            }

            return TypedResults.NoContent();
        });
    }

    private static Lease ReadLease(JsonElement root, string[] known)
    {
        JsonBody.RequireOnly(root, known);
        var jobId = JsonBody.OptionalString(root, "job_id");
        var attempt = JsonBody.OptionalInt(root, "attempt");
        var token = JsonBody.OptionalString(root, "lease_token");
        if (string.IsNullOrEmpty(jobId) || attempt is null || string.IsNullOrEmpty(token))
        {
            throw new InvalidPayloadException("The fields 'job_id', 'attempt' and 'lease_token' are required.");
        }

        return new Lease(jobId, attempt.Value, token);
    }

    /// <summary>
    /// What the worker reports, taken as a report and nothing more: the outcome picks one of four
    /// kinds, <c>cancelled</c> counts only after the server asked for it, and the output is cut to
    /// the template's <c>output_kb</c> (BOX-2) whatever the worker sent.
    /// </summary>
    private static AttemptResult ReadResult(JsonElement root, RemoteLease held)
    {
        var outcome = JsonBody.OptionalString(root, "outcome");
        var kind = outcome switch
        {
            "succeeded" => AttemptResultKind.Succeeded,
            "retryable_failure" => AttemptResultKind.RetryableFailure,
            "permanent_failure" => AttemptResultKind.PermanentFailure,
            "cancelled" => AttemptResultKind.Cancelled,
            _ => throw new InvalidPayloadException(
                "The field 'outcome' must be one of succeeded, retryable_failure, permanent_failure, cancelled."),
        };

        var error = JsonBody.OptionalString(root, "error");
        var errorCode = JsonBody.OptionalString(root, "error_code");
        if (kind == AttemptResultKind.Cancelled && !held.CancelSeen)
        {
            // Nobody asked for a cancel: a worker may not end a job for good on its own say-so.
            kind = AttemptResultKind.RetryableFailure;
            error = "The worker stopped the run without a cancel request.";
            errorCode = "worker_cancelled";
        }

        string? resultJson = null;
        if (JsonBody.Optional(root, "result") is { } result)
        {
            resultJson = result.GetRawText();
            if (Encoding.UTF8.GetByteCount(resultJson) > RuntimeEndpoints.MaxResultBytes)
            {
                throw new InvalidPayloadException($"The field 'result' must be at most {RuntimeEndpoints.MaxResultBytes} bytes of JSON.");
            }
        }

        var outputBytes = held.Claimed.Template.Definition.Limits.OutputKb * 1024;
        return new AttemptResult
        {
            Kind = kind,
            ResultJson = resultJson,
            Error = kind == AttemptResultKind.Succeeded ? null : Cut(error, MaxErrorChars) ?? "The attempt failed on the remote worker.",
            ErrorCode = kind == AttemptResultKind.Succeeded ? null
                : errorCode is { Length: <= MaxErrorCodeChars } && Identifiers.IsValid(errorCode) ? errorCode : "worker_error",
            ExitCode = JsonBody.OptionalInt(root, "exit_code"),
            Stdout = CutBytes(JsonBody.OptionalString(root, "stdout"), outputBytes),
            Stderr = CutBytes(JsonBody.OptionalString(root, "stderr"), outputBytes),
        };
    }

    private static string? Cut(string? text, int chars) => text is null || text.Length <= chars ? text : text[..chars];

    private static string CutBytes(string? text, int maxBytes)
    {
        if (string.IsNullOrEmpty(text) || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text ?? "";
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80)
        {
            end--; // never split a character
        }

        return Encoding.UTF8.GetString(bytes, 0, end);
    }

    private static ConflictException LeaseLost() => new("The lease is no longer held.", "lease_lost");
}
