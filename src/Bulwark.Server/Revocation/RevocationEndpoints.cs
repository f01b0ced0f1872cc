using Bulwark.Core.Errors;
using Bulwark.Core.Identity;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Auth;
using Bulwark.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Revocation;

/// <summary><c>POST /v1/revocations</c>: revoke a token by jti, a subject or a key of the caller's own tenant (AUTH-5).</summary>
internal static class RevocationEndpoints
{
    public static void MapRevocations(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/revocations", async (HttpContext http, CredentialRevoker revoker) =>
            {
                var caller = Caller.Of(http);
                using var body = await JsonBody.ReadAsync(http.Request, maxDepth: 4, http.RequestAborted);
                var root = body.RootElement;
                JsonBody.RequireOnly(root, "jti", "subject", "key_id", "reason");
                var named = new List<(RevocationKind Kind, string Value)>(1);
                if (JsonBody.OptionalString(root, "jti") is { } jti)
                {
                    named.Add((RevocationKind.Jti, jti));
                }

                if (JsonBody.OptionalString(root, "subject") is { } subject)
                {
                    named.Add((RevocationKind.Subject, subject));
                }

                if (JsonBody.OptionalString(root, "key_id") is { } keyId)
                {
                    named.Add((RevocationKind.Key, keyId));
                }

                if (named.Count != 1)
                {
                    throw new InvalidPayloadException("Name exactly one of 'jti', 'subject' or 'key_id'.");
                }

                var revocation = await revoker.RevokeAsync(
                    http, caller, named[0].Kind, named[0].Value, JsonBody.OptionalString(root, "reason"), http.RequestAborted);
                return TypedResults.Created((string?)null, RevocationView.Of(revocation));
            })
            .RequireScope(Scopes.KeysAdmin);
    }
}
