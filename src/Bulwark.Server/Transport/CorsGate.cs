using Bulwark.Server.Errors;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace Bulwark.Server.Transport;

/// <summary>
/// CORS for the configured origins only (NET-4, <c>BULWARK_CORS_ORIGINS</c>). A listed origin is
/// echoed back (never <c>*</c>, never credentials: the API takes bearer credentials, not cookies);
/// any other origin gets no CORS header, and its preflight is refused with 403. With no origins
/// configured there is no CORS at all: a preflight is an unknown method like any other.
/// </summary>
internal static class CorsGate
{
    public const string AllowedMethods = "GET, POST, PUT, DELETE";

    public const string AllowedHeaders = "Authorization, Content-Type, Last-Event-ID";


    /// <summary>Response headers a listed origin's page may read beyond the CORS-safelisted ones.</summary>

    public const string ExposedHeaders = "Retry-After, X-Request-Id";

    public const int PreflightMaxAgeSeconds = 600;

    private static readonly HashSet<string> Methods = new(StringComparer.Ordinal) { "GET", "POST", "PUT", "DELETE" };

    private static readonly HashSet<string> Headers = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "Content-Type", "Last-Event-ID" };

    public static void UseCorsGate(this WebApplication app)
    {
        var origins = CorsOrigins.Parse(app.Services.GetRequiredService<BulwarkOptions>().CorsOrigins);
        if (origins.IsEmpty)
        {
            return;
        }

        app.Use((http, next) => InvokeAsync(http, origins, next));
    }

    private static Task InvokeAsync(HttpContext http, CorsOrigins origins, RequestDelegate next)
    {
        var request = http.Request;
        var response = http.Response;
        var origin = request.Headers.Origin.ToString();
        var allowed = origins.Allows(origin);
        var preflight = HttpMethods.IsOptions(request.Method) && origin.Length > 0
            && !StringValues.IsNullOrEmpty(request.Headers.AccessControlRequestMethod);
        if (preflight)
        {
            VaryByOrigin(response);
            if (!allowed || !Methods.Contains(request.Headers.AccessControlRequestMethod.ToString())
                || !RequestedHeadersAllowed(request.Headers.AccessControlRequestHeaders))
            {
                return ProblemWriter.WriteAsync(http, ProblemMapping.Problem(StatusCodes.Status403Forbidden, "forbidden",
                    "This origin, method or header may not call the API from a browser."));
            }

            response.StatusCode = StatusCodes.Status204NoContent;
            response.Headers.AccessControlAllowOrigin = origin;
            response.Headers.AccessControlAllowMethods = AllowedMethods;
            response.Headers.AccessControlAllowHeaders = AllowedHeaders;
            response.Headers.AccessControlMaxAge = PreflightMaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }

        // At response start, not now: the exception handler clears the headers of a failed request,
        // and an error answer must stay readable by the page that asked.
        response.OnStarting(() =>
        {
            VaryByOrigin(response);
            if (allowed)
            {
                response.Headers.AccessControlAllowOrigin = origin;
                // A page must be able to read when to retry (429) and which request to quote.
                response.Headers.AccessControlExposeHeaders = ExposedHeaders;
            }

            return Task.CompletedTask;
        });
        return next(http);
    }

    // Every answer depends on Origin once CORS is on: a shared cache must not hand one origin's answer to another.
    private static void VaryByOrigin(HttpResponse response)
    {
        if (!response.Headers.Vary.Any(v => v is not null && v.Contains("Origin", StringComparison.OrdinalIgnoreCase)))
        {
            response.Headers.Append("Vary", "Origin");
        }
    }

    private static bool RequestedHeadersAllowed(StringValues requested)
    {
        foreach (var value in requested)
        {
            foreach (var name in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Headers.Contains(name))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
