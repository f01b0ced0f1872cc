using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Events;
using Bulwark.Core.RateLimits;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Validation;
using Bulwark.Server.Http;
using Bulwark.Server.RateLimits;
using Bulwark.Server.Runtime;
using Bulwark.Server.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Events;

/// <summary>
/// The runtime's <c>POST events</c> (API.md): a running job emits an event for its own tenant, as
/// actor <c>job:&lt;id&gt;</c>, through the same path as the user API (flag, rate limit, validation,
/// audit, triggers). A job that an event trigger started emits one hop deeper than that event (JOB-9).
/// </summary>
internal static class RuntimeEvents
{
    public static void MapRuntimeEvents(this IEndpointRouteBuilder runtime) =>
        runtime.MapPost("/events", async (HttpContext http, EventService service, RateLimiter limiter, IBulwarkStore store, IEventStore events, RunSecrets secrets) =>
        {
            var run = RuntimeCaller.Of(http).Run;
            var tenant = await store.FindTenantByIdAsync(run.TenantId, http.RequestAborted) is { } found
                ? TenantScope.Of(found)
                : throw new NotFoundException("The run's tenant no longer exists.");
            service.RequireEnabled(tenant);
            var actor = "job:" + run.Lease.JobId;
            await limiter.AcquireAsync(http, tenant, actor, RateBucket.Events, http.RequestAborted);
            SubmitEventRequest request;
            using (var body = await JsonBody.ReadAsync(http.Request, JsonPayload.DefaultMaxDepth, http.RequestAborted))
            {
                // SEC-1, SEC-4: an event is stored and becomes other jobs' input, so the run's secrets never are.
                var redacted = JsonRedaction.Redact(secrets.RedactorOf(run.Lease), body.RootElement.GetRawText());
                using var clean = JsonDocument.Parse(redacted);
                request = SubmitEventRequest.Read(clean.RootElement, allowDryRun: false);
            }

            var depth = await DepthOfJobAsync(store, events, tenant, run.Lease.JobId, http.RequestAborted);
            return TypedResults.Accepted((string?)null, await service.SubmitAsync(http, tenant, actor, request, depth, http.RequestAborted));
        });

    /// <summary>
    /// One more than the event that started the job, when an event trigger started it (its actor is
    /// <c>trigger:…</c>, set only by the server, and its key <c>event:&lt;event id&gt;:&lt;trigger&gt;</c>); else 0.
    /// </summary>
    private static async Task<int> DepthOfJobAsync(IBulwarkStore store, IEventStore events, TenantScope tenant, string jobId, CancellationToken ct)
    {
        var job = await store.GetJobAsync(tenant, jobId, ct);
        if (job?.Actor is not { } actor || !actor.StartsWith("trigger:", StringComparison.Ordinal)
            || job.IdempotencyKey is not { } key || !key.StartsWith("event:", StringComparison.Ordinal))
        {
            return 0;
        }

        var parts = key.Split(':', 3);
        var cause = parts.Length == 3 ? await events.FindEventAsync(tenant, parts[1], ct) : null;
        // The cause may have been removed by retention; the hop it stood for still counts.
        return (cause?.Depth ?? 0) + 1;
    }
}
