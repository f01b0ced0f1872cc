using Bulwark.Core.Sandbox;
using Bulwark.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Health;

/// <summary>
/// <c>/healthz</c>: the process answers. <c>/readyz</c>: the store answers and the sandbox is usable
/// (BOX-5: when it is not, readiness says why instead of jobs failing mysteriously).
/// </summary>
internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));

        routes.MapGet("/readyz", async (IBulwarkStore store, ISandbox sandbox, HttpContext http) =>
        {
            bool storeOk;
            try
            {
                storeOk = await store.PingAsync(http.RequestAborted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                storeOk = false;
            }

            var health = sandbox.Health;
            var ready = storeOk && health.Usable;
            var body = new ReadinessView(
                ready ? "ready" : "not_ready",
                storeOk ? "ok" : "unreachable",
                new SandboxView(health.Usable, health.Mode, health.Detail, health.Limits));
            return Results.Json(body, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }
}

internal sealed record ReadinessView(string Status, string Store, SandboxView Sandbox);

/// <param name="Limits">How BOX-2 limits are enforced on this host: cgroup v2, cgroup v1 (…), or rlimits only.</param>
internal sealed record SandboxView(bool Usable, string Mode, string Detail, string Limits);
