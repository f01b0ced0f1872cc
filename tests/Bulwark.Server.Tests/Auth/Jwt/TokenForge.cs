using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Server.Tests.Auth.Jwt;

/// <summary>
/// Builds compact JWS tokens byte by byte, so a test can make exactly the malformed or malicious
/// token an attacker would. Keys are generated per test run; none is ever committed.
/// </summary>
public static class TokenForge
{
    public const string Issuer = "https://idp.test";
    public const string Audience = "bulwark";

    public static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    public static string Json(object value) => JsonSerializer.Serialize(value);

    /// <summary>Standard valid claims for tenant <paramref name="tenant"/>; <paramref name="change"/> edits them.</summary>
    public static Dictionary<string, object?> Claims(string tenant = "acme", string subject = "alice", Action<Dictionary<string, object?>>? change = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = subject,
            ["tenant"] = tenant,
            ["roles"] = new[] { "writer" },
            ["scope"] = "ops:read",
            ["email"] = subject + "@example.test",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 600,
        };
        change?.Invoke(claims);
        return claims;
    }

    public static string Unsigned(object header, object claims) => B64(Json(header)) + "." + B64(Json(Strip(claims)));

    public static string Hs256(byte[] key, object claims, Dictionary<string, object?>? extraHeader = null, string alg = "HS256")
    {
        var signingInput = Unsigned(Header(alg, null, extraHeader), claims);
        return signingInput + "." + B64(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string Rs256(RSA key, string? kid, object claims, Dictionary<string, object?>? extraHeader = null)
    {
        var signingInput = Unsigned(Header("RS256", kid, extraHeader), claims);
        return signingInput + "." + B64(key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public static string Es256(ECDsa key, string? kid, object claims)
    {
        var signingInput = Unsigned(Header("ES256", kid, null), claims);
        return signingInput + "." + B64(key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256));
    }

    public static Dictionary<string, object?> Header(string alg, string? kid, Dictionary<string, object?>? extra)
    {
        var header = new Dictionary<string, object?> { ["alg"] = alg, ["typ"] = "JWT" };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        foreach (var (name, value) in extra ?? [])
        {
            header[name] = value;
        }

        return header;
    }

    public static object RsaJwk(RSA key, string kid)
    {
        var p = key.ExportParameters(false);
        return new Dictionary<string, string> { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = kid, ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
    }

    public static object EcJwk(ECDsa key, string kid)
    {
        var p = key.ExportParameters(false);
        return new Dictionary<string, string> { ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["crv"] = "P-256", ["kid"] = kid, ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) };
    }

    // Null-valued claims are left out, so Claims(change: c => c["exp"] = null) means "no exp".
    private static Dictionary<string, object?> Strip(object claims) =>
        claims is Dictionary<string, object?> d ? d.Where(kv => kv.Value is not null).ToDictionary() : JsonSerializer.Deserialize<Dictionary<string, object?>>(Json(claims))!;
}
