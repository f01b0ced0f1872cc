namespace Bulwark.Core.Secrets;

/// <summary>One place secret values come from (SEC-2). Asked at every launch, so a rotated value is seen at once (SEC-3).</summary>
public interface ISecretProvider
{
    /// <summary>Says where the provider looks, for the error of a missing secret (never a value).</summary>
    string Describe(SecretPath path);

    /// <summary>The current value, or null when this provider has none for <paramref name="path"/>.</summary>
    /// <exception cref="SecretRefusedException">The path cannot be looked up safely here.</exception>
    string? Find(SecretPath path);
}
