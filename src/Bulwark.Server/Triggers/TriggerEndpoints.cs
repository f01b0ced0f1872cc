using Bulwark.Core.Tenancy;
using Bulwark.Server.Auth;
using Bulwark.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Triggers;

/// <summary><c>/v1/triggers</c> (API.md, JOB-9). Every route is tenant-scoped through the caller.</summary>
internal static class TriggerEndpoints
{
    private const int MaxBodyDepth = 10;

    public static void MapTriggers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/triggers");

        group.MapGet("/", async (HttpContext http, TriggerAdmin admin) =>
                TypedResults.Ok(await admin.ListAsync(Caller.Of(http), http.RequestAborted)))
            .RequireScope(Scopes.JobsRead);

        group.MapPut("/{name}", async Task<Results<Created<TriggerView>, Ok<TriggerView>>> (HttpContext http, TriggerAdmin admin, string name) =>
            {
                PutTriggerRequest request;
                using (var body = await JsonBody.ReadAsync(http.Request, MaxBodyDepth, http.RequestAborted))
                {
                    request = PutTriggerRequest.Read(body.RootElement);
                }

                var (view, created) = await admin.PutAsync(http, Caller.Of(http), name, request, http.RequestAborted);
                return created ? TypedResults.Created($"/v1/triggers/{view.Name}", view) : TypedResults.Ok(view);
            })
            .RequireScope(Scopes.TemplatesAdmin);

        group.MapDelete("/{name}", async (HttpContext http, TriggerAdmin admin, string name) =>
            {
                await admin.DeleteAsync(http, Caller.Of(http), name, http.RequestAborted);
                return TypedResults.NoContent();
            })
            .RequireScope(Scopes.TemplatesAdmin);
    }
}
