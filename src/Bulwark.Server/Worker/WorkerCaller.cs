using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Worker;

/// <summary>A remote worker that proved it holds the worker token; <see cref="WorkerId"/> is its own name for itself.</summary>
internal sealed record WorkerCaller(string WorkerId)
{
    public static WorkerCaller Of(HttpContext http) =>
        http.Features.Get<WorkerCaller>() ?? throw new InvalidOperationException("Endpoint is outside the worker API group.");
}
