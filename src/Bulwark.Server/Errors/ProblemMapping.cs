using Bulwark.Core.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Bulwark.Server.Errors;

/// <summary>The one place a typed error becomes an HTTP answer (API.md: problem+json with a stable code).</summary>
internal static class ProblemMapping
{
    public static ProblemDetails ToProblem(BulwarkException error) => Problem(StatusOf(error), error.Code, error.Message);

    public static int StatusOf(BulwarkException error) => error switch
    {
        InvalidPayloadException => StatusCodes.Status400BadRequest,
        UnauthenticatedException => StatusCodes.Status401Unauthorized,
        ForbiddenException or FeatureDisabledException => StatusCodes.Status403Forbidden,
        NotFoundException => StatusCodes.Status404NotFound,
        ConflictException => StatusCodes.Status409Conflict,
        Core.RateLimits.RateLimitedException => StatusCodes.Status429TooManyRequests,
        Core.Validation.UnsupportedMediaTypeException => StatusCodes.Status415UnsupportedMediaType,
        UnavailableException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static ProblemDetails Problem(int status, string code, string detail)
    {
        var problem = new ProblemDetails
        {
            Type = $"https://bulwark.dev/problems/{code}",
            Title = TitleOf(status),
            Status = status,
            Detail = detail,
        };
        problem.Extensions["code"] = code;
        return problem;
    }

    private static string TitleOf(int status) => status switch
    {
        400 => "Invalid request",
        401 => "Unauthenticated",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        413 => "Payload too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        503 => "Unavailable",
        _ => "Internal error",
    };
}
