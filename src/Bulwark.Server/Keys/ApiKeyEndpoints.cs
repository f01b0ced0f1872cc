using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Identity;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Audit;
using Bulwark.Server.Auth;
using Bulwark.Server.Http;
using Bulwark.Server.Operations;
using Bulwark.Server.Revocation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Keys;

/// <summary>
/// <c>/v1/api-keys</c> (AUTH-2): a tenant's key administrator creates, lists and revokes the
/// tenant's own keys. A caller can never mint a key holding a scope it does not hold itself.
/// </summary>
internal static class ApiKeyEndpoints
{
    public const int MaxNameLength = 100;
    public const int MaxScopes = 64;

    public static void MapApiKeys(this IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/v1/api-keys");

        keys.MapPost("/", async (HttpContext http, IBulwarkStore store, AuditTrail audit, TimeProvider time) =>
            {
                var caller = Caller.Of(http);
                using var body = await JsonBody.ReadAsync(http.Request, maxDepth: 4, http.RequestAborted);
                var root = body.RootElement;
                JsonBody.RequireOnly(root, "name", "scopes", "expires_in_seconds");
                var name = JsonBody.OptionalString(root, "name");
                if (name is { Length: > MaxNameLength } || (name is not null && name.Any(char.IsControl)))
                {
                    throw new InvalidPayloadException($"The field 'name' must be at most {MaxNameLength} printable characters.");
                }

                var scopes = ReadScopes(root);
                var ttl = JsonBody.OptionalInt(root, "expires_in_seconds") is { } seconds
                    ? seconds > 0 ? TimeSpan.FromSeconds(seconds) : throw new InvalidPayloadException("The field 'expires_in_seconds' must be positive.")
                    : (TimeSpan?)null;
                var (record, plaintext) = new OperatorCommands(store, time).NewKey(caller.Tenant.TenantId, scopes, ttl, name);

                // No privilege escalation: every scope of the new key must already be the caller's.
                var beyond = scopes.Where(s => !caller.Has(s)).ToList();
                if (beyond.Count > 0)
                {
                    var detail = JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["reason"] = "scope_escalation",
                        ["scopes"] = beyond,
                    });
                    await audit.RecordAsync(
                        audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "key.create", null, "denied", detail),
                        http.RequestAborted);
                    throw new ForbiddenException(
                        $"A key cannot be given scopes its creator does not hold: {string.Join(", ", beyond)}.", "scope_escalation");
                }

                await store.CreateApiKeyAsync(record, http.RequestAborted);
                await audit.RecordAsync(
                    audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "key.create", record.Id, "success",
                        JsonSerializer.Serialize(new Dictionary<string, object> { ["scopes"] = record.Scopes })),
                    http.RequestAborted);
                return TypedResults.Created(
                    $"/v1/api-keys/{record.Id}",
                    new CreatedApiKeyView(record.Id, record.Name, record.Scopes, record.CreatedAt, record.ExpiresAt, plaintext));
            })
            .RequireScope(Scopes.KeysAdmin);

        keys.MapGet("/", async (HttpContext http, IBulwarkStore store) =>
            {
                var list = await store.ListApiKeysAsync(Caller.Of(http).Tenant, http.RequestAborted);
                return TypedResults.Ok(new ApiKeyListView(list.Select(ApiKeyView.Of).ToList()));
            })
            .RequireScope(Scopes.KeysAdmin);

        keys.MapDelete("/{id}", async (HttpContext http, string id, CredentialRevoker revoker) =>
            {
                await revoker.RevokeAsync(http, Caller.Of(http), RevocationKind.Key, id, reason: null, http.RequestAborted);
                return TypedResults.NoContent();
            })
            .RequireScope(Scopes.KeysAdmin);
    }

    private static List<string> ReadScopes(JsonElement root)
    {
        if (JsonBody.Optional(root, "scopes") is not { ValueKind: JsonValueKind.Array } array)
        {
            throw new InvalidPayloadException("The field 'scopes' must be an array of scope strings.");
        }

        var scopes = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new InvalidPayloadException("The field 'scopes' must be an array of scope strings.");
            }

            var scope = item.GetString()!;
            if (scopes.Count == MaxScopes)
            {
                throw new InvalidPayloadException($"A key holds at most {MaxScopes} scopes.");
            }

            if (!scopes.Contains(scope, StringComparer.Ordinal))
            {
                scopes.Add(scope);
            }
        }

        return scopes;
    }
}
