using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Keys;

/// <summary>
/// The API key format <c>bwk_{id}_{secret}</c> (AUTH-2). The id finds the row; the 256-bit
/// secret is checked against its SHA-256 in constant time. A fast hash is right here: the secret
/// is random and long, so there is nothing to brute-force that a slow hash would protect.
/// </summary>
public static class ApiKeys
{
    private const string Prefix = "bwk_";

    public sealed record Minted(string Id, string Plaintext, byte[] SecretHash);

    public static Minted Mint()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return new Minted("key_" + id, $"{Prefix}{id}_{secret}", Hash(secret));
    }

    /// <summary>Splits a presented key; false for anything not shaped like one of ours.</summary>
    public static bool TryParse(string? presented, out string id, out string secret)
    {
        id = secret = "";
        if (presented is null || !presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return false;
        }

        var rest = presented.AsSpan(Prefix.Length);
        var split = rest.IndexOf('_');
        if (split != 16 || rest.Length - split - 1 < 32)
        {
            return false;
        }

        id = "key_" + rest[..split].ToString();
        secret = rest[(split + 1)..].ToString();
        return true;
    }

    public static bool Verify(ApiKeyRecord record, string secret) =>
        CryptographicOperations.FixedTimeEquals(record.SecretHash, Hash(secret));

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
