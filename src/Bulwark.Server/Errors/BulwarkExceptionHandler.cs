using Bulwark.Core.Errors;
using Bulwark.Server.Logging;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Errors;

/// <summary>
/// Turns every escaped exception into problem+json (rule: never a stack trace to a client).
/// Unknown exceptions are logged in full here and answered with a bare 500.
/// </summary>
internal sealed class BulwarkExceptionHandler(ILogger<BulwarkExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var problem = exception switch
        {
            BulwarkException known => ProblemMapping.ToProblem(known),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                ProblemMapping.Problem(413, "payload_too_large", "The request body is larger than this server accepts."),
            BadHttpRequestException bad =>
                ProblemMapping.Problem(bad.StatusCode, "invalid_payload", "The request could not be read."),
            _ => null,
        };

        if (problem is null)
        {
            Log.UnhandledError(logger, http.Request.Method, http.Request.Path, exception);
            problem = ProblemMapping.Problem(500, "internal_error", "The server failed to handle the request; it has been logged.");
        }

        if (exception is Core.RateLimits.RateLimitedException limited)
        {
            // NET-3: when to come back, in whole seconds (at least 1).
            http.Response.Headers.RetryAfter = limited.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await ProblemWriter.WriteAsync(http, problem);
        return true;
    }
}
