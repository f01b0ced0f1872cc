using System.Text;
using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Validation;
using Bulwark.Server.Http;
using Bulwark.Server.Runtime;
using Bulwark.Server.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Egress;

/// <summary>
/// <c>POST /runtime/v1/http</c> (BOX-3, NET-1): a script job's one way to the internet, for
/// templates with <c>network: egress</c>. Body <c>{method, url, headers?, body?}</c> (a string body
/// is sent as it is, any other JSON as <c>application/json</c>); the answer is the response as
/// <see cref="EgressResultJson"/> writes it. Refused by the guard: 403 <c>egress_denied</c>.
/// </summary>
internal static class RuntimeHttpEndpoint
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

    /// <summary>Headers the client owns (framing, routing, proxies): a job setting them could smuggle a request or pick another virtual host.</summary>
    private static readonly string[] PlatformHeaders =
    [
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "TE", "Trailer", "Keep-Alive",
        "Proxy-Connection", "Proxy-Authorization", "Expect",
    ];

    public static void MapRuntimeHttp(this IEndpointRouteBuilder runtime) =>
        runtime.MapPost("/http", async (HttpContext http, IBulwarkStore store, EgressService egress, RunSecrets secrets) =>
        {
            var caller = RuntimeCaller.Of(http);
            await RequireEgressAsync(store, caller, http.RequestAborted);
            EgressRequest request;
            using (var body = await JsonBody.ReadAsync(http.Request, JsonPayload.DefaultMaxDepth, http.RequestAborted))
            {
                request = Read(body.RootElement);
            }

            var redactor = secrets.RedactorOf(caller.Run.Lease);
            EgressResponse response;
            try
            {
                response = await egress.SendAsync(
                    http, caller.Claims.TenantId, $"task:{caller.Claims.JobId}", request, redactor, http.RequestAborted);
            }
            catch (EgressException e) when (e.Code == EgressException.Denied)
            {
                throw new ForbiddenException(e.Message, e.Code);
            }
            catch (EgressException e)
            {
                throw new UnavailableException(e.Message, e.Code);
            }

            return TypedResults.Text(EgressResultJson.From(response, redactor), "application/json", Encoding.UTF8);
        });

    /// <summary>
    /// The run's own template version must say <c>network: egress</c>. The store answers the key's
    /// latest version; if that is not the version the run started with, the call is refused rather
    /// than judged by a template the run is not running.
    /// </summary>
    private static async Task RequireEgressAsync(IBulwarkStore store, RuntimeCaller caller, CancellationToken ct)
    {
        var tenant = await store.FindTenantByIdAsync(caller.Claims.TenantId, ct)
            ?? throw new ForbiddenException("The run's tenant no longer exists.", "egress_not_allowed");
        var scope = TenantScope.Of(tenant);
        var job = await store.GetJobAsync(scope, caller.Claims.JobId, ct)
            ?? throw new ForbiddenException("The run's job no longer exists.", "egress_not_allowed");
        var template = await store.FindTemplateAsync(scope, job.TemplateKey, ct);
        if (template is null || template.Version != job.TemplateVersion)
        {
            throw new ForbiddenException(
                "The run's template has changed since the run started; outbound requests are refused for it.", "egress_not_allowed");
        }

        if (template.Definition.Network != NetworkPolicy.Egress)
        {
            throw new ForbiddenException(
                $"The template '{template.Key}' has network: none; outbound requests need network: egress.", "egress_not_allowed");
        }
    }

    private static EgressRequest Read(JsonElement root)
    {
        JsonBody.RequireOnly(root, "method", "url", "headers", "body");
        var method = (JsonBody.OptionalString(root, "method") ?? "GET").ToUpperInvariant();
        if (Array.IndexOf(Methods, method) < 0)
        {
            throw new InvalidPayloadException($"The field 'method' must be one of {string.Join(", ", Methods)}.");
        }

        var url = JsonBody.OptionalString(root, "url") ?? throw new InvalidPayloadException("The field 'url' is required.");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (JsonBody.Optional(root, "headers") is { } given)
        {
            if (given.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidPayloadException("The field 'headers' must be an object of header names to string values.");
            }

            foreach (var header in given.EnumerateObject())
            {
                if (header.Value.ValueKind != JsonValueKind.String || !IsToken(header.Name) || HasControl(header.Value.GetString()!))
                {
                    throw new InvalidPayloadException("Each header must be a valid name with a string value without control characters.");
                }

                if (Array.Exists(PlatformHeaders, h => h.Equals(header.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new InvalidPayloadException($"The header '{header.Name}' is set by the platform and cannot be set by a job.");
                }

                headers[header.Name] = header.Value.GetString()!;
            }
        }

        byte[]? body = null;
        string? contentType = null;
        if (JsonBody.Optional(root, "body") is { ValueKind: not JsonValueKind.Null } content)
        {
            (body, contentType) = content.ValueKind == JsonValueKind.String
                ? (Encoding.UTF8.GetBytes(content.GetString()!), "text/plain; charset=utf-8")
                : (Encoding.UTF8.GetBytes(content.GetRawText()), "application/json");
        }

        return new EgressRequest { Method = method, Url = url, Headers = headers, Body = body, ContentType = contentType };
    }

    private static bool IsToken(string name) =>
        name.Length is > 0 and <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));

    private static bool HasControl(string text) => text.Any(c => (c < ' ' && c != '\t') || c == '\u007f');
}
