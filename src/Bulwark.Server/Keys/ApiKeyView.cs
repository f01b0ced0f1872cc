using Bulwark.Core.Keys;

namespace Bulwark.Server.Keys;

/// <summary>An API key as the API lists it: never its secret, never its hash (AUTH-2).</summary>
internal sealed record ApiKeyView(
    string Id,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt)
{
    public static ApiKeyView Of(ApiKeyRecord key) => new(key.Id, key.Name, key.Scopes, key.CreatedAt, key.ExpiresAt, key.RevokedAt);
}

internal sealed record ApiKeyListView(IReadOnlyList<ApiKeyView> Keys);

/// <summary>The answer to a creation: the only time <see cref="Key"/> is ever shown.</summary>
internal sealed record CreatedApiKeyView(
    string Id,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    string Key);
