using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Auth;
using Bulwark.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Flags;

/// <summary><c>GET /v1/flags</c> and <c>PUT /v1/flags/{name}</c> (FLAG-1, FLAG-2): the caller's tenant only.</summary>
internal static class FlagEndpoints
{
    public static void MapFlags(this IEndpointRouteBuilder routes)
    {
        var flags = routes.MapGroup("/v1/flags");
        flags.MapGet("/", (HttpContext http, TenantFlags tenantFlags) =>
                TypedResults.Ok(new FlagListView(tenantFlags.List(Caller.Of(http)))))
            .RequireScope(Scopes.FlagsRead);

        flags.MapPut("/{name}", async (HttpContext http, string name, TenantFlags tenantFlags) =>
            {
                var caller = Caller.Of(http);
                // An unknown name is refused before the body is read: nothing is written either way.
                FlagAudit.Require(name);
                using var body = await JsonBody.ReadAsync(http.Request, maxDepth: 2, http.RequestAborted);
                var root = body.RootElement;
                JsonBody.RequireOnly(root, "enabled");
                var enabled = JsonBody.OptionalBool(root, "enabled")
                    ?? throw new InvalidPayloadException("The field 'enabled' (true or false) is required.");
                return TypedResults.Ok(await tenantFlags.SetAsync(http, caller, name, enabled, http.RequestAborted));
            })
            .RequireScope(Scopes.FlagsAdmin);
    }
}
