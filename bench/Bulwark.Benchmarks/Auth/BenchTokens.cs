using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Benchmarks.Auth;

/// <summary>Compact JWS tokens for the load, signed with keys generated for the run.</summary>
internal static class BenchTokens
{
    public const string Issuer = "https://idp.bench";

    public static string Hs256(byte[] key) => Sign("HS256", null, input => HMACSHA256.HashData(key, input));

    public static string Rs256(RSA key, string kid) =>
        Sign("RS256", kid, input => key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static string Jwks(RSA key, string kid)
    {
        var p = key.ExportParameters(false);
        return JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } },
        });
    }

    private static string Sign(string alg, string? kid, Func<byte[], byte[]> signature)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = kid is null ? JsonSerializer.Serialize(new { alg, typ = "JWT" }) : JsonSerializer.Serialize(new { alg, typ = "JWT", kid });
        var payload = JsonSerializer.Serialize(new
        {
            iss = Issuer,
            sub = "bench-user",
            tenant = "default",
            roles = new[] { "reader" },
            jti = Guid.NewGuid().ToString("N"),
            iat = now,
            nbf = now,
            exp = now + 3600,
        });
        var input = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        return input + "." + Base64UrlEncoder.Encode(signature(Encoding.ASCII.GetBytes(input)));
    }
}
