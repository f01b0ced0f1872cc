namespace Bulwark.Core.Secrets;

/// <summary>
/// Resolves a template's secrets for one launch (SEC-2, SEC-3): each name becomes the path
/// <c>/{env}/{tenant}/{name}</c>, and the providers are asked in their fixed order (the secrets
/// directory, then environment variables); the first that has a value wins. Nothing is cached:
/// every launch reads the current values.
/// </summary>
public sealed class SecretResolver(IReadOnlyList<ISecretProvider> providers)
{
    public IReadOnlyList<ISecretProvider> Providers { get; } = providers;

    /// <exception cref="SecretRefusedException">A secret is missing everywhere or refused; the message names its path, never a value.</exception>
    public IReadOnlyList<ResolvedSecret> Resolve(string env, string tenant, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var resolved = new List<ResolvedSecret>(names.Count);
        foreach (var name in names)
        {
            var path = SecretNames.PathOf(env, tenant, name);
            resolved.Add(new ResolvedSecret(path, Find(path)));
        }

        return resolved;
    }

    private string Find(SecretPath path)
    {
        foreach (var provider in Providers)
        {
            if (provider.Find(path) is { } value)
            {
                return value;
            }
        }

        var places = Providers.Count == 0 ? "no secret provider is configured" : string.Join("; ", Providers.Select(p => p.Describe(path)));
        throw new SecretRefusedException($"The secret {path} was not found ({places}).");
    }
}
