using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Bulwark.Server.Errors;

/// <summary>Writes a problem as <c>application/problem+json</c>.</summary>
internal static class ProblemWriter
{
    public static Task WriteAsync(HttpContext http, ProblemDetails problem)
    {
        http.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        problem.Extensions["request_id"] = http.TraceIdentifier;
        return http.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
    }
}
