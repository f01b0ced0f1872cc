using System.Net.Sockets;
using Bulwark.Server.Errors;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Runtime;

/// <summary>
/// BOX-3, AUTH-7: the runtime socket is mounted into job sandboxes, so a connection on it may
/// reach only <c>/runtime/v1/…</c>. Anything else answers 404 before routing, authentication or
/// any other work: job code must never reach the user API (or health, or metrics) through it.
/// </summary>
internal static class RuntimeSocketGate
{
    public const string Prefix = "/runtime/v1";

    public static async Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        if (IsRuntimeSocket(http) && !http.Request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal))
        {
            await ProblemWriter.WriteAsync(http, ProblemMapping.Problem(404, "not_found", "There is no such route."));
            return;
        }

        await next();
    }

    /// <summary>
    /// Fails closed: a connection that is not plainly TCP (no local IP address) is treated as the
    /// socket, so a transport this check does not know cannot open the user API to job code.
    /// </summary>
    public static bool IsRuntimeSocket(HttpContext http) =>
        http.Features.Get<IConnectionEndPointFeature>()?.LocalEndPoint is UnixDomainSocketEndPoint
        || http.Connection.LocalIpAddress is null;
}
