using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Auth;

/// <summary>
/// The endpoint-level gate (AUTHZ-1): authenticate, then demand the endpoint's scope. The
/// caller is then available to the handler through <see cref="Caller.Of"/>.
/// </summary>
internal static class ScopeRequirement
{
    /// <param name="scope">The scope the endpoint needs; null: any authenticated caller.</param>
    public static RouteHandlerBuilder RequireScope(this RouteHandlerBuilder endpoint, string? scope) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var caller = await http.RequestServices.GetRequiredService<Authenticator>()
                .AuthenticateAsync(http, http.RequestAborted);
            if (scope is not null)
            {
                await DemandAsync(http, caller, scope);
            }

            http.Features.Set(caller);
            return await next(context);
        });

    /// <summary>Refuses (audited) unless the caller holds <paramref name="scope"/>; also used for template scopes.</summary>
    public static async Task DemandAsync(HttpContext http, Principal caller, string scope)
    {
        if (caller.Has(scope))
        {
            return;
        }

        var audit = http.RequestServices.GetRequiredService<AuditTrail>();
        var detail = JsonSerializer.Serialize(new Dictionary<string, string> { ["required_scope"] = scope });
        await audit.RecordAsync(
            audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "authz.denied", http.Request.Path.Value, "denied", detail),
            http.RequestAborted);
        throw new ForbiddenException($"This credential lacks the scope '{scope}'.");
    }
}

/// <summary>Reads the caller established by <see cref="ScopeRequirement"/>.</summary>
internal static class Caller
{
    public static Principal Of(HttpContext http) =>
        http.Features.Get<Principal>() ?? throw new InvalidOperationException("Endpoint is missing RequireScope().");
}
