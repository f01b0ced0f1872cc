using System.Collections.Frozen;
using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Identity;

/// <summary>
/// Which scopes each role grants (AUTHZ-2), from <c>BULWARK_ROLE_&lt;NAME&gt;_SCOPES</c>. A role
/// nobody configured grants nothing, so a token naming an invented role gains no scope.
/// </summary>
public sealed class RoleScopes
{
    private const string Prefix = "BULWARK_ROLE_";
    private const string Suffix = "_SCOPES";

    private readonly FrozenDictionary<string, string[]> _scopes;

    private RoleScopes(IDictionary<string, string[]> scopes) =>
        _scopes = scopes.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>seed 002 and 004: admin = *, writer, reader.</summary>
    public static RoleScopes Defaults { get; } = new(new Dictionary<string, string[]>
    {
        ["admin"] = [Scopes.All],
        ["writer"] = [Scopes.JobsRead, Scopes.JobsWrite, Scopes.EventsWrite],
        ["reader"] = [Scopes.JobsRead],
    });

    public IReadOnlyCollection<string> Roles => _scopes.Keys;

    /// <summary>The scopes <paramref name="role"/> grants; empty for an unknown role.</summary>
    public IReadOnlyList<string> For(string role) =>
        _scopes.TryGetValue(role, out var scopes) ? scopes : [];

    /// <summary>
    /// The defaults, overridden and extended by every <c>BULWARK_ROLE_&lt;NAME&gt;_SCOPES</c> in
    /// <paramref name="environment"/> (space- or comma-separated). Throws <see cref="FormatException"/>
    /// naming the variable when a scope is malformed.
    /// </summary>
    public static RoleScopes Parse(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var scopes = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var role in Defaults.Roles)
        {
            scopes[role] = [.. Defaults.For(role)];
        }

        foreach (var (name, value) in environment)
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal)
                || !name.EndsWith(Suffix, StringComparison.Ordinal)
                || name.Length <= Prefix.Length + Suffix.Length)
            {
                continue;
            }

            var role = name[Prefix.Length..^Suffix.Length].ToLowerInvariant();
            var granted = (value ?? "").Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var scope in granted)
            {
                if (!Tenancy.Scopes.IsWellFormed(scope))
                {
                    throw new FormatException($"{name} holds '{scope}', which is not a scope (name:action, name:* or *).");
                }
            }

            scopes[role] = granted.Distinct(StringComparer.Ordinal).ToArray();
        }

        return new RoleScopes(scopes);
    }

    /// <summary>A token's effective scopes (AUTHZ-2): its explicit scopes ∪ the scopes of its roles.</summary>
    public IReadOnlyList<string> Effective(IEnumerable<string> explicitScopes, IEnumerable<string> roles)
    {
        var result = new List<string>();
        foreach (var scope in explicitScopes)
        {
            if (!result.Contains(scope, StringComparer.Ordinal))
            {
                result.Add(scope);
            }
        }

        foreach (var role in roles)
        {
            foreach (var scope in For(role))
            {
                if (!result.Contains(scope, StringComparer.Ordinal))
                {
                    result.Add(scope);
                }
            }
        }

        return result;
    }
}
