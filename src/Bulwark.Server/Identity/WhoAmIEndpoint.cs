using Bulwark.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Identity;

internal static class WhoAmIEndpoint
{
    public static void MapWhoAmI(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/v1/whoami", (HttpContext http) =>
            {
                var caller = Caller.Of(http);
                return TypedResults.Ok(new WhoAmIView(caller.Tenant.TenantName, caller.Subject, caller.AuthMethod, caller.Roles, caller.Scopes));
            })
            .RequireScope(null);
}

internal sealed record WhoAmIView(string Tenant, string Subject, string AuthMethod, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes);
