using System.Security.Cryptography;
using System.Text.Json;

namespace Bulwark.Core.Tokens;

/// <summary>
/// The capability token format (AUTHZ-5): <c>bwc1.{base64url payload}.{base64url HMAC-SHA256}</c> (see <see cref="SignedToken"/>).
/// The MAC covers the prefix and the payload exactly as sent, so no byte of either can change;
/// the payload is a small JSON object of <see cref="CapabilityClaims"/>. A format of ours rather
/// than a JWT: there is no algorithm field to confuse, no header to parse before the MAC is
/// checked, and the check is one HMAC over a few hundred bytes (the runtime API's hot path).
/// </summary>
public static class CapabilityToken
{
    public const string Prefix = "bwc1";

    /// <summary>Key length of <see cref="NewKey"/>; shorter keys are refused.</summary>
    public const int KeyBytes = 32;

    /// <summary>Longer than any token we mint; anything larger is refused before decoding.</summary>
    public const int MaxLength = 1024;

    private const string JobField = "job";
    private const string AttemptField = "att";
    private const string TenantField = "ten";
    private const string ExpiresField = "exp";
    private const string TokenIdField = "jti";

    /// <summary>A fresh random key.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeyBytes);

    /// <summary>A new random token id (128 bits, hex).</summary>
    public static string NewTokenId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string Mint(ReadOnlySpan<byte> key, CapabilityClaims claims)
    {
        RequireKey(key);
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentException.ThrowIfNullOrEmpty(claims.JobId);
        ArgumentException.ThrowIfNullOrEmpty(claims.TenantId);
        ArgumentException.ThrowIfNullOrEmpty(claims.TokenId);
        ArgumentOutOfRangeException.ThrowIfLessThan(claims.Attempt, 1);

        using var payload = new MemoryStream();
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString(JobField, claims.JobId);
            json.WriteNumber(AttemptField, claims.Attempt);
            json.WriteString(TenantField, claims.TenantId);
            json.WriteNumber(ExpiresField, claims.ExpiresAt.ToUnixTimeSeconds());
            json.WriteString(TokenIdField, claims.TokenId);
            json.WriteEndObject();
        }

        return SignedToken.Seal(Prefix, payload.GetBuffer().AsSpan(0, (int)payload.Length), key, MaxLength, nameof(claims));
    }

    /// <summary>True with the claims when the token is ours, intact and unexpired at <paramref name="now"/>.</summary>
    public static bool TryVerify(ReadOnlySpan<byte> key, string? token, DateTimeOffset now, out CapabilityClaims? claims) =>
        Check(key, token, now, out claims) == CapabilityTokenCheck.Valid;

    /// <summary>As <see cref="TryVerify"/>, saying why a token was refused (for the audit log).</summary>
    public static CapabilityTokenCheck Check(ReadOnlySpan<byte> key, string? token, DateTimeOffset now, out CapabilityClaims? claims)
    {
        RequireKey(key);
        claims = null;
        switch (SignedToken.Open(token, Prefix, MaxLength, key, default, out var payload))
        {
            case SignedToken.Opened.Malformed:
                return CapabilityTokenCheck.Malformed;
            case SignedToken.Opened.BadSignature:
                return CapabilityTokenCheck.BadSignature;
        }

        if (!TryReadClaims(payload!, out var read))
        {
            return CapabilityTokenCheck.BadPayload;
        }

        if (now >= read.ExpiresAt)
        {
            return CapabilityTokenCheck.Expired;
        }

        claims = read;
        return CapabilityTokenCheck.Valid;
    }

    private static bool TryReadClaims(ReadOnlySpan<byte> payload, out CapabilityClaims claims)
    {
        claims = null!;
        string? job = null, tenant = null, tokenId = null;
        int? attempt = null;
        long? expires = null;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 2 });
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
                    JobField when job is null && reader.TokenType == JsonTokenType.String => (job = reader.GetString()) is not null,
                    TenantField when tenant is null && reader.TokenType == JsonTokenType.String => (tenant = reader.GetString()) is not null,
                    TokenIdField when tokenId is null && reader.TokenType == JsonTokenType.String => (tokenId = reader.GetString()) is not null,
                    AttemptField when attempt is null && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var a) => (attempt = a) is not null,
                    ExpiresField when expires is null && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var e) => (expires = e) is not null,
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

        if (string.IsNullOrEmpty(job) || string.IsNullOrEmpty(tenant) || string.IsNullOrEmpty(tokenId)
            || attempt is not >= 1 || expires is not { } exp
            || exp < DateTimeOffset.MinValue.ToUnixTimeSeconds() || exp > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        claims = new CapabilityClaims(job, attempt.Value, tenant, DateTimeOffset.FromUnixTimeSeconds(exp), tokenId);
        return true;
    }

    private static void RequireKey(ReadOnlySpan<byte> key)
    {
        if (key.Length < KeyBytes)
        {
            throw new ArgumentException($"A capability key has at least {KeyBytes} bytes.", nameof(key));
        }
    }
}
