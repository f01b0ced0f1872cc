using System.Text;

namespace Bulwark.Core.Tokens;

/// <summary>
/// The policy-token signing secrets (AUTHZ-3, SEC-3): tokens are minted with <see cref="Current"/>;
/// during a rotation a token minted with the previous secret still verifies until it expires
/// or the operator drops the previous secret. Each secret has at least
/// <see cref="PolicyToken.MinSecretLength"/> characters.
/// </summary>
public sealed class PolicyTokenSecrets
{
    public PolicyTokenSecrets(string current, string? previous = null)
    {
        Current = KeyOf(current, nameof(current));
        Previous = string.IsNullOrEmpty(previous) ? null : KeyOf(previous, nameof(previous));
    }

    internal byte[] Current { get; }

    internal byte[]? Previous { get; }

    /// <summary>True when <paramref name="secret"/> is long enough to sign policy tokens.</summary>
    public static bool IsStrong(string? secret) => secret is not null && secret.Length >= PolicyToken.MinSecretLength;

    private static byte[] KeyOf(string secret, string name)
    {
        if (!IsStrong(secret))
        {
            throw new ArgumentException($"A policy token secret has at least {PolicyToken.MinSecretLength} characters.", name);
        }

        return Encoding.UTF8.GetBytes(secret);
    }
}
