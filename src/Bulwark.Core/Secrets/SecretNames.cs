using System.Buffers;
using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Secrets;

/// <summary>
/// What a secret path's parts may be (SEC-2). Each part becomes a directory or file name under
/// <c>BULWARK_SECRETS_DIR</c>, so none may be empty, <c>.</c>, <c>..</c> or start with a dot
/// (Kubernetes keeps its own <c>..data</c> entries there), or hold a <c>/</c>.
/// </summary>
public static class SecretNames
{
    /// <summary>The rule of a template's <c>secrets</c> entries: <c>^[a-z0-9_]{1,64}$</c>.</summary>
    public const string NameRule = "^[a-z0-9_]{1,64}$";

    private static readonly SearchValues<char> NameChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_");

    public static bool IsValidName(string? name) =>
        name is { Length: >= 1 and <= 64 } && !name.AsSpan().ContainsAnyExcept(NameChars);

    /// <summary>The path, or <see cref="SecretRefusedException"/> (<c>secret_path_refused</c>) naming the bad part.</summary>
    public static SecretPath PathOf(string env, string tenant, string name)
    {
        RequireSegment(env, "environment (BULWARK_ENV)");
        RequireSegment(tenant, "tenant name");
        if (!IsValidName(name))
        {
            throw new SecretRefusedException($"The secret name '{name}' must match {NameRule}.", "secret_path_refused");
        }

        return new SecretPath(env, tenant, name);
    }

    private static void RequireSegment(string value, string what)
    {
        // Identifiers excludes '/', NUL and whitespace; the dot rule keeps '..' and hidden entries out.
        if (!Identifiers.IsValid(value) || value[0] == '.')
        {
            throw new SecretRefusedException(
                $"Secrets cannot be looked up for the {what} '{value}': it must match ^[a-zA-Z0-9_.:-]{{1,100}}$ and not start with a dot.",
                "secret_path_refused");
        }
    }
}
