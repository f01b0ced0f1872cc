using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Audit;
using Bulwark.Server.Auth;
using Bulwark.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Templates;

/// <summary><c>/v1/templates</c>: a tenant lists what it may run, registers its own templates and retires them.</summary>
internal static class TemplateEndpoints
{
    public static void MapTemplates(this IEndpointRouteBuilder routes)
    {
        var templates = routes.MapGroup("/v1/templates");

        templates.MapGet("/", async (HttpContext http, IBulwarkStore store) =>
            {
                var list = await store.ListTemplatesAsync(Caller.Of(http).Tenant, http.RequestAborted);
                return TypedResults.Ok(new TemplateListView(list.Select(TemplateView.Of).ToList()));
            })
            .RequireScope(Scopes.JobsRead);

        templates.MapPut("/{key}", async (HttpContext http, string key, IBulwarkStore store, AuditTrail audit, TimeProvider time) =>
            {
                var caller = Caller.Of(http);
                Identifiers.Require(key, "template key");
                // NET-2: the payload gate first (media type, duplicates, text that decodes), at the template's own depth.
                string text;
                using (var body = await JsonBody.ReadAsync(http.Request, TemplateFile.MaxDepth, http.RequestAborted))
                {
                    text = body.RootElement.GetRawText();
                }

                var definition = TemplateFile.Parse(text);
                if (definition.Key != key)
                {
                    throw new InvalidPayloadException($"The body's key '{definition.Key}' does not match the URL's '{key}'.");
                }

                // A tenant registers templates for itself only; global templates are an operator command.
                if (definition.Tenant is { } named && named != caller.Tenant.TenantName)
                {
                    throw new ForbiddenException("A template registered through the API belongs to the caller's own tenant.");
                }

                var stored = await store.PutTemplateAsync(
                    caller.Tenant.TenantId, definition with { Tenant = caller.Tenant.TenantName }, time.GetUtcNow(), http.RequestAborted);
                var detail = JsonSerializer.Serialize(new Dictionary<string, int> { ["version"] = stored.Version });
                await audit.RecordAsync(
                    audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "template.put", stored.Key, "success", detail),
                    http.RequestAborted);
                return TypedResults.Created($"/v1/templates/{stored.Key}", TemplateView.Of(stored));
            })
            .RequireScope(Scopes.TemplatesAdmin);

        // JOB-1: retires every version of the caller tenant's own template. Afterwards the key is
        // neither listed nor started (jobs, triggers, events answer unknown_template, as for a key
        // that never existed); queued jobs keep the version they carry; a later PUT makes the key
        // live again with the next version. TEN-1: a global template or another tenant's is 404.
        templates.MapDelete("/{key}", async (HttpContext http, string key, IBulwarkStore store, AuditTrail audit, TimeProvider time) =>
            {
                var caller = Caller.Of(http);
                Identifiers.Require(key, "template key");
                if (!await store.RetireTemplateAsync(caller.Tenant, key, time.GetUtcNow(), http.RequestAborted))
                {
                    throw new NotFoundException($"There is no template '{key}' of this tenant to retire.");
                }

                await audit.RecordAsync(
                    audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "template.retire", key, "success"),
                    http.RequestAborted);
                return TypedResults.NoContent();
            })
            .RequireScope(Scopes.TemplatesAdmin);
    }
}
