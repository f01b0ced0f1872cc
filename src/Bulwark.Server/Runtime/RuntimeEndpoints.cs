using System.Text;
using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Runtime;
using Bulwark.Core.Storage;
using Bulwark.Core.Validation;
using Bulwark.Server.Egress;
using Bulwark.Server.Hosting;
using Bulwark.Server.Http;
using Bulwark.Server.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Runtime;

/// <summary>
/// <c>/runtime/v1</c> (BOX-3, JOB-7, AUTHZ-5): what a running job may ask of the platform, on
/// the socket mounted into its sandbox (and on TCP). Every call acts for the run its capability
/// token names and goes to the store under that run's lease, so a stale run writes nothing.
/// </summary>
internal static class RuntimeEndpoints
{
    /// <summary>Largest result a job may hand back (JOB-7).</summary>
    public const int MaxResultBytes = 256 * 1024;

    private static readonly string[] Levels = ["debug", "info", "warning", "error"];

    public static void MapRuntime(this IEndpointRouteBuilder routes)
    {
        var runtime = routes.MapGroup(RuntimeSocketGate.Prefix);
        runtime.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var caller = await http.RequestServices.GetRequiredService<RuntimeAuthenticator>()
                .AuthenticateAsync(http, http.RequestAborted);
            http.Features.Set(caller);
            return await next(context);
        });

        // Extends the lease like the worker's own heartbeat; a requested cancel kills the run.
        runtime.MapPost("/heartbeat", async (HttpContext http, IBulwarkStore store, BulwarkOptions options, TimeProvider time) =>
        {
            var run = RuntimeCaller.Of(http).Run;
            bool cancel;
            try
            {
                cancel = await store.HeartbeatAsync(run.Lease, TimeSpan.FromSeconds(options.LeaseSeconds), time.GetUtcNow(), http.RequestAborted);
            }
            catch (ConflictException)
            {
                run.LoseLease();
                throw;
            }

            if (cancel)
            {
                run.CancelOnRequest();
            }

            return TypedResults.Ok(new HeartbeatView(cancel));
        });

        runtime.MapGet("/variables/{name}", async (HttpContext http, string name, IBulwarkStore store, TimeProvider time, Flags.ReadTrail reads) =>
        {
            RunVariables.RequireName(name);
            var caller = RuntimeCaller.Of(http);
            var value = await store.GetVariableAsync(caller.Run.Lease, name, time.GetUtcNow(), http.RequestAborted)
                ?? throw new NotFoundException($"There is no variable '{name}'.");
            // FLAG-1: the full read trail names the job that read which variable.
            await reads.RecordAsync(
                http, caller.Claims.TenantId, $"task:{caller.Claims.JobId}", Flags.ReadTrail.VariableRead, name, http.RequestAborted);
            return TypedResults.Text(value, "application/json", Encoding.UTF8);
        });

        // The body is the value itself: any JSON, at most 64 KiB.
        runtime.MapPut("/variables/{name}", async (HttpContext http, string name, IBulwarkStore store, TimeProvider time, RunSecrets secrets) =>
        {
            RunVariables.RequireName(name);
            var fence = LocksEndpoints.FenceOf(http); // AUTHZ-6: X-Bulwark-Fence, checked before the body is read
            // SEC-1, SEC-4: a variable is stored, so the run's secrets never are.
            var value = JsonRedaction.Redact(secrets.RedactorOf(RuntimeCaller.Of(http).Run.Lease), await ReadValueAsync(http, RunVariables.MaxValueBytes));
            if (fence is not null)
            {
                await LocksEndpoints.PutFencedVariableAsync(http, fence, name, value);
                return TypedResults.NoContent();
            }

            await store.PutVariableAsync(RuntimeCaller.Of(http).Run.Lease, name, value, time.GetUtcNow(), http.RequestAborted);
            return TypedResults.NoContent();
        });

        runtime.MapLocks();
        Events.RuntimeEvents.MapRuntimeEvents(runtime); // JOB-10: a running job's events, for its own tenant
        runtime.MapRuntimeHttp(); // POST /http through the egress guard (NET-1)

        // {message, level?} → one line of the attempt's logs, stream "runtime".
        runtime.MapPost("/log", async (HttpContext http, IBulwarkStore store, TimeProvider time, RunSecrets secrets) =>
        {
            var run = RuntimeCaller.Of(http).Run;
            string line;
            using (var body = await JsonBody.ReadAsync(http.Request, JsonPayload.DefaultMaxDepth, http.RequestAborted))
            {
                JsonBody.RequireOnly(body.RootElement, "message", "level");
                var message = JsonBody.OptionalString(body.RootElement, "message")
                    ?? throw new InvalidPayloadException("The field 'message' is required.");
                var level = JsonBody.OptionalString(body.RootElement, "level") ?? "info";
                if (Array.IndexOf(Levels, level) < 0)
                {
                    throw new InvalidPayloadException($"The field 'level' must be one of {string.Join(", ", Levels)}.");
                }

                RuntimeLogs.ValidateMessage(message);
                line = message.EndsWith('\n') ? $"[{level}] {message}" : $"[{level}] {message}\n";
                // SEC-4: the run's secrets and anything shaped like a credential, before it is stored or streamed.
                line = secrets.RedactorOf(run.Lease).Redact(line);
            }

            // BOX-2: runtime lines share the template's output limit, so a job cannot fill the
            // store through the API where it could not through stdout.
            if (!run.TryTakeLogBudget(Encoding.UTF8.GetByteCount(line)))
            {
                throw new ConflictException("The run has used its output limit; the log line was refused.", "output_limit");
            }

            await store.AppendLogAsync(run.Lease, RuntimeLogs.Stream, line, time.GetUtcNow(), http.RequestAborted);
            return TypedResults.NoContent();
        });

        // The body is the result itself: any JSON, at most 256 KiB; the last one PUT wins.
        runtime.MapPut("/result", async (HttpContext http, RunSecrets secrets) =>
        {
            var run = RuntimeCaller.Of(http).Run;
            var value = JsonRedaction.Redact(secrets.RedactorOf(run.Lease), await ReadValueAsync(http, MaxResultBytes));
            if (!run.TrySetOutput(value))
            {
                throw new ConflictException("The run has ended; its result can no longer change.", "lease_lost");
            }

            return TypedResults.NoContent();
        });
    }

    /// <summary>A JSON body of at most <paramref name="maxBytes"/> (Kestrel answers 413 beyond), through the payload guard.</summary>
    private static async Task<string> ReadValueAsync(HttpContext http, int maxBytes)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        using var body = await JsonBody.ReadAsync(http.Request, JsonPayload.DefaultMaxDepth, http.RequestAborted);
        return body.RootElement.GetRawText();
    }
}

internal sealed record HeartbeatView(bool CancelRequested);
