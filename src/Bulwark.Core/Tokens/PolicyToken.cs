using System.Security.Cryptography;
using System.Text.Json;

namespace Bulwark.Core.Tokens;

/// <summary>
/// The policy token format (AUTHZ-3): <c>bwp1.{base64url payload}.{base64url HMAC-SHA256}</c>,
/// the capability token's shape with its own prefix, so a token of one kind never passes for the
/// other. The MAC covers the prefix and the payload exactly as sent and is compared in constant
/// time before a byte of the payload is decoded; there is no algorithm field to confuse. A token
/// is valid from its issue time for its TTL (default <see cref="DefaultTtl"/>, at most
/// <see cref="MaxTtl"/>) and verifies under the current or the previous secret (SEC-3).
/// </summary>
public static class PolicyToken
{
    public const string Prefix = "bwp1";

    /// <summary>AUTHZ-3: secrets shorter than this are refused (at start, and here).</summary>
    public const int MinSecretLength = 32;

    /// <summary>Longer than any token we mint; anything larger is refused before decoding.</summary>
    public const int MaxLength = 4096;

    /// <summary>Most scopes one token may carry.</summary>
    public const int MaxScopes = 32;

    /// <summary>Longest tenant, actor or action name a token may carry.</summary>
    public const int MaxNameLength = 200;

    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);

    public static readonly TimeSpan MaxTtl = TimeSpan.FromHours(24);

    /// <summary>How far ahead of this node's clock another node's issue time may be.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    private const string TenantField = "tenant";
    private const string ActorField = "actor";
    private const string ActionField = "action";
    private const string ScopesField = "scopes";
    private const string IssuedField = "iat";
    private const string ExpiresField = "exp";
    private const string TokenIdField = "jti";

    /// <summary>A new random token id (128 bits, hex).</summary>
    public static string NewTokenId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Claims for a new token issued at <paramref name="now"/>; throws on a TTL outside (0, <see cref="MaxTtl"/>].</summary>
    public static PolicyClaims NewClaims(string tenant, string actor, string action, IReadOnlyList<string> scopes, DateTimeOffset now, TimeSpan? ttl = null)
    {
        var lifetime = ttl ?? DefaultTtl;
        if (lifetime <= TimeSpan.Zero || lifetime > MaxTtl)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), $"A policy token lives between 1 second and {MaxTtl.TotalHours:0} hours.");
        }

        // Whole seconds, as the token carries them, so the claims minted are the claims verified.
        var issued = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        return new PolicyClaims(tenant, actor, action, scopes, issued, issued + TimeSpan.FromSeconds(Math.Max(1, (long)lifetime.TotalSeconds)), NewTokenId());
    }

    /// <summary>Signs <paramref name="claims"/> with the current secret.</summary>
    public static string Mint(PolicyTokenSecrets secrets, PolicyClaims claims)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(claims);
        RequireName(claims.Tenant, nameof(claims.Tenant));
        RequireName(claims.Actor, nameof(claims.Actor));
        RequireName(claims.Action, nameof(claims.Action));
        RequireName(claims.TokenId, nameof(claims.TokenId));
        ArgumentNullException.ThrowIfNull(claims.Scopes);
        if (claims.Scopes.Count > MaxScopes || claims.Scopes.Any(s => string.IsNullOrEmpty(s) || s.Length > MaxNameLength))
        {
            throw new ArgumentException($"A policy token carries at most {MaxScopes} non-empty scopes.", nameof(claims));
        }

        var lifetime = claims.ExpiresAt - claims.IssuedAt;
        if (lifetime <= TimeSpan.Zero || lifetime > MaxTtl)
        {
            throw new ArgumentException($"A policy token lives between 1 second and {MaxTtl.TotalHours:0} hours.", nameof(claims));
        }

        using var payload = new MemoryStream();
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString(TenantField, claims.Tenant);
            json.WriteString(ActorField, claims.Actor);
            json.WriteString(ActionField, claims.Action);
            json.WriteStartArray(ScopesField);
            foreach (var scope in claims.Scopes)
            {
                json.WriteStringValue(scope);
            }

            json.WriteEndArray();
            json.WriteNumber(IssuedField, claims.IssuedAt.ToUnixTimeSeconds());
            json.WriteNumber(ExpiresField, claims.ExpiresAt.ToUnixTimeSeconds());
            json.WriteString(TokenIdField, claims.TokenId);
            json.WriteEndObject();
        }

        return SignedToken.Seal(Prefix, payload.GetBuffer().AsSpan(0, (int)payload.Length), secrets.Current, MaxLength, nameof(claims));
    }

    /// <summary>
    /// Whether <paramref name="token"/> is ours (current or previous secret), intact, issued no later
    /// than <paramref name="now"/> (give or take <see cref="ClockSkew"/>) and unexpired; the claims
    /// when it is. Says nothing about whether the claims fit a request: the caller matches them.
    /// </summary>
    public static PolicyTokenCheck Check(PolicyTokenSecrets secrets, string? token, DateTimeOffset now, out PolicyClaims? claims)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        claims = null;
        switch (SignedToken.Open(token, Prefix, MaxLength, secrets.Current, secrets.Previous, out var payload))
        {
            case SignedToken.Opened.Malformed:
                return PolicyTokenCheck.Malformed;
            case SignedToken.Opened.BadSignature:
                return PolicyTokenCheck.BadSignature;
        }

        if (!TryReadClaims(payload!, out var read))
        {
            return PolicyTokenCheck.BadPayload;
        }

        if (read.IssuedAt > now + ClockSkew || read.ExpiresAt - read.IssuedAt > MaxTtl || read.ExpiresAt <= read.IssuedAt)
        {
            return PolicyTokenCheck.BadLifetime;
        }

        if (now >= read.ExpiresAt)
        {
            return PolicyTokenCheck.Expired;
        }

        claims = read;
        return PolicyTokenCheck.Valid;
    }

    private static bool TryReadClaims(ReadOnlySpan<byte> payload, out PolicyClaims claims)
    {
        claims = null!;
        string? tenant = null, actor = null, action = null, tokenId = null;
        List<string>? scopes = null;
        long? issued = null, expires = null;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 3 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (!reader.Read())
                {
                    return false;
                }

                // Exactly the fields we mint, each once.
                var fresh = name switch
                {
                    TenantField when tenant is null && reader.TokenType == JsonTokenType.String => (tenant = reader.GetString()) is not null,
                    ActorField when actor is null && reader.TokenType == JsonTokenType.String => (actor = reader.GetString()) is not null,
                    ActionField when action is null && reader.TokenType == JsonTokenType.String => (action = reader.GetString()) is not null,
                    TokenIdField when tokenId is null && reader.TokenType == JsonTokenType.String => (tokenId = reader.GetString()) is not null,
                    IssuedField when issued is null && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var i) => (issued = i) is not null,
                    ExpiresField when expires is null && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var e) => (expires = e) is not null,
                    ScopesField when scopes is null && reader.TokenType == JsonTokenType.StartArray => (scopes = ReadScopes(ref reader)) is not null,
                    _ => false,
                };
                if (!fresh)
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (!IsName(tenant) || !IsName(actor) || !IsName(action) || !IsName(tokenId) || scopes is null
            || !IsUnixSeconds(issued) || !IsUnixSeconds(expires))
        {
            return false;
        }

        claims = new PolicyClaims(
            tenant!, actor!, action!, scopes,
            DateTimeOffset.FromUnixTimeSeconds(issued!.Value), DateTimeOffset.FromUnixTimeSeconds(expires!.Value), tokenId!);
        return true;
    }

    private static List<string>? ReadScopes(ref Utf8JsonReader reader)
    {
        var scopes = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            var scope = reader.GetString();
            if (string.IsNullOrEmpty(scope) || scope.Length > MaxNameLength || scopes.Count == MaxScopes)
            {
                return null;
            }

            scopes.Add(scope);
        }

        return reader.TokenType == JsonTokenType.EndArray ? scopes : null;
    }

    private static bool IsName(string? value) => !string.IsNullOrEmpty(value) && value.Length <= MaxNameLength;

    private static bool IsUnixSeconds(long? value) =>
        value is { } v && v >= 0 && v <= DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private static void RequireName(string value, string name)
    {
        if (!IsName(value))
        {
            throw new ArgumentException($"'{name}' must be 1 to {MaxNameLength} characters.", name);
        }
    }
}
