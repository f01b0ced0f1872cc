using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Tokens;
using Bulwark.Server.Http;

namespace Bulwark.Server.Policy;

/// <summary>The body of <c>POST /v1/policy-tokens</c> (API.md): <c>{actor, action, scopes, ttl_seconds}</c>, read strictly.</summary>
internal sealed record IssuePolicyTokenRequest(string Actor, string Action, IReadOnlyList<string> Scopes, TimeSpan Ttl)
{
    public static IssuePolicyTokenRequest Read(JsonElement body)
    {
        JsonBody.RequireOnly(body, "actor", "action", "scopes", "ttl_seconds");
        var actor = JsonBody.OptionalString(body, "actor") ?? throw new InvalidPayloadException("The field 'actor' is required.");
        if (actor.Length is 0 or > PolicyToken.MaxNameLength || actor.Any(char.IsControl))
        {
            throw new InvalidPayloadException($"The field 'actor' must be 1 to {PolicyToken.MaxNameLength} printable characters.");
        }

        var action = JsonBody.OptionalString(body, "action") ?? throw new InvalidPayloadException("The field 'action' is required.");
        Identifiers.Require(action, "action");

        var scopes = new List<string>();
        if (JsonBody.Optional(body, "scopes") is { } list)
        {
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > PolicyToken.MaxScopes)
            {
                throw new InvalidPayloadException($"The field 'scopes' must be an array of at most {PolicyToken.MaxScopes} scopes.");
            }

            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || item.GetString() is not { } scope || !Core.Tenancy.Scopes.IsWellFormed(scope))
                {
                    throw new InvalidPayloadException("Each scope must look like 'family:name' (or '*').");
                }

                scopes.Add(scope);
            }
        }

        var ttlSeconds = JsonBody.OptionalInt(body, "ttl_seconds") ?? (int)PolicyToken.DefaultTtl.TotalSeconds;
        if (ttlSeconds < 1 || ttlSeconds > PolicyToken.MaxTtl.TotalSeconds)
        {
            throw new InvalidPayloadException($"The field 'ttl_seconds' must be between 1 and {(int)PolicyToken.MaxTtl.TotalSeconds}.");
        }

        return new IssuePolicyTokenRequest(actor, action, scopes, TimeSpan.FromSeconds(ttlSeconds));
    }
}
