using Bulwark.Core.RateLimits;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Auth;
using Bulwark.Server.Http;
using Bulwark.Server.RateLimits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Events;

/// <summary><c>POST /v1/events</c> (API.md, JOB-10).</summary>
internal static class EventEndpoints
{
    private const int MaxBodyDepth = 10;

    public static void MapEvents(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/events", async Task<Results<Accepted<EventView>, Ok<EventDryRunView>>> (HttpContext http, EventService service, RateLimiter limiter) =>
            {
                var caller = Caller.Of(http);
                // FLAG-1: off answers feature_disabled before anything is counted, read or stored.
                service.RequireEnabled(caller.Tenant);
                // NET-3: counted before the body is read; a refusal stores nothing.
                await limiter.AcquireAsync(http, caller, RateBucket.Events, http.RequestAborted);
                SubmitEventRequest request;
                using (var body = await JsonBody.ReadAsync(http.Request, MaxBodyDepth, http.RequestAborted))
                {
                    request = SubmitEventRequest.Read(body.RootElement, allowDryRun: true);
                }

                if (request.DryRun)
                {
                    return TypedResults.Ok(await service.DryRunAsync(http, caller.Tenant, caller.Subject, request, http.RequestAborted));
                }

                var accepted = await service.SubmitAsync(http, caller.Tenant, caller.Subject, request, depth: 0, http.RequestAborted);
                return TypedResults.Accepted((string?)null, accepted);
            })
            .RequireScope(Scopes.EventsWrite);
    }
}
