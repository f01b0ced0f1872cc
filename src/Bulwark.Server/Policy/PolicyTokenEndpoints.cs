using System.Globalization;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Auth;
using Bulwark.Server.Errors;
using Bulwark.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Bulwark.Server.Policy;

/// <summary><c>POST /v1/policy-tokens</c> (API.md, AUTHZ-3): a token for the caller's own tenant.</summary>
internal static class PolicyTokenEndpoints
{
    private const int MaxBodyDepth = 4;

    public static void MapPolicyTokens(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/policy-tokens", async Task<Results<Ok<IssuedPolicyTokenView>, ProblemHttpResult>> (HttpContext http, PolicyTokenIssuer issuer) =>
            {
                using var body = await JsonBody.ReadAsync(http.Request, MaxBodyDepth, http.RequestAborted);
                var request = IssuePolicyTokenRequest.Read(body.RootElement);
                switch (await issuer.IssueAsync(http, Caller.Of(http), request, http.RequestAborted))
                {
                    case PolicyTokenIssue.Issued issued:
                        return TypedResults.Ok(new IssuedPolicyTokenView(issued.Token, issued.ExpiresAt));
                    case PolicyTokenIssue.RateLimited limited:
                        // NET-3: 429 with when to come back; nothing was issued.
                        http.Response.Headers[HeaderNames.RetryAfter] =
                            ((long)Math.Ceiling(limited.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                        var problem = ProblemMapping.Problem(StatusCodes.Status429TooManyRequests, "rate_limited",
                            $"This tenant was issued {limited.Limit} policy tokens in the last hour; try again later.");
                        problem.Title = "Too many requests";
                        problem.Extensions["request_id"] = http.TraceIdentifier;
                        return TypedResults.Problem(problem);
                    default:
                        throw new InvalidOperationException("Unknown issue outcome.");
                }
            })
            .RequireScope(Scopes.TokensIssue);
    }
}
