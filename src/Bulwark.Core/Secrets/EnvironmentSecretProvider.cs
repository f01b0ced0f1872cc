using System.Buffers;
using System.Text;

namespace Bulwark.Core.Secrets;

/// <summary>
/// Secrets from the server's own environment variables (SEC-2):
/// <c>/{env}/{tenant}/{name}</c> is read from <c>BULWARK_SECRET_{ENV}_{TENANT}_{NAME}</c>, each
/// part upper-cased with every character other than a letter or digit written as <c>_</c>
/// (<c>/prod/acme/demo_key</c> → <c>BULWARK_SECRET_PROD_ACME_DEMO_KEY</c>).
/// </summary>
/// <remarks>
/// That mapping is not one-to-one: <c>/dev/a_b/c</c> and <c>/dev/a/b_c</c> share a variable, and so
/// do the tenants <c>Acme</c> and <c>acme</c>, so one tenant could declare the name that reads
/// another tenant's secret (TEN-1). This provider therefore answers only when the environment and
/// the tenant name are lower-case letters and digits (the name may hold <c>_</c>: it is last); other
/// tenants keep their secrets in <c>BULWARK_SECRETS_DIR</c>.
/// </remarks>
public sealed class EnvironmentSecretProvider(Func<string, string?> readVariable) : ISecretProvider
{
    public const string Prefix = "BULWARK_SECRET_";

    private static readonly SearchValues<char> LowerAlphanumerics = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789");

    /// <summary>The server's process environment, read at each lookup.</summary>
    public EnvironmentSecretProvider()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>The variable for <paramref name="path"/> by the documented mapping, whether or not this provider may use it.</summary>
    public static string VariableFor(SecretPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = new StringBuilder(Prefix);
        foreach (var part in (ReadOnlySpan<string>)[path.Env, path.Tenant, path.Name])
        {
            if (name.Length > Prefix.Length)
            {
                name.Append('_');
            }

            foreach (var c in part)
            {
                name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
            }
        }

        return name.ToString();
    }

    /// <summary>Whether the mapping keeps this path apart from every other tenant's.</summary>
    public static bool Serves(SecretPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return IsLowerAlphanumeric(path.Env) && IsLowerAlphanumeric(path.Tenant) && SecretNames.IsValidName(path.Name);
    }

    public string Describe(SecretPath path) => Serves(path)
        ? $"no environment variable {VariableFor(path)}"
        : $"environment variables serve only environments and tenants named with lower-case letters and digits, not '{path.Env}/{path.Tenant}'";

    public string? Find(SecretPath path)
    {
        if (!Serves(path))
        {
            return null;
        }

        var value = readVariable(VariableFor(path));
        return value is not null && value.Contains('\0', StringComparison.Ordinal) ? null : value;
    }

    private static bool IsLowerAlphanumeric(string s) => s.Length > 0 && !s.AsSpan().ContainsAnyExcept(LowerAlphanumerics);
}
