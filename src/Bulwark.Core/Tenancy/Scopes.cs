namespace Bulwark.Core.Tenancy;

/// <summary>Endpoint scopes (AUTHZ-1). Templates add their own (<c>required_scope</c>).</summary>
public static class Scopes
{
    public const string All = "*";
    public const string JobsRead = "jobs:read";
    public const string JobsWrite = "jobs:write";
    public const string EventsWrite = "events:write";
    public const string TemplatesAdmin = "templates:admin";
    public const string AuditRead = "audit:read";
    public const string FlagsRead = "flags:read";
    public const string FlagsAdmin = "flags:admin";
    public const string TenantsAdmin = "tenants:admin";
    public const string KeysAdmin = "keys:admin";
    public const string TokensIssue = "tokens:issue";

    /// <summary>
    /// True when <paramref name="granted"/> covers <paramref name="required"/>: exactly, by
    /// <c>*</c>, or by a family wildcard such as <c>ops:*</c>.
    /// </summary>
    public static bool Covers(IEnumerable<string> granted, string required)
    {
        foreach (var scope in granted)
        {
            if (scope == All || scope == required)
            {
                return true;
            }

            if (scope.EndsWith(":*", StringComparison.Ordinal)
                && required.StartsWith(scope.AsSpan(0, scope.Length - 1), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // \z, not $: in .NET "$" also matches before a final newline.
    private static readonly System.Text.RegularExpressions.Regex Pattern =
        new(@"^(\*|[a-zA-Z0-9_.-]+:(\*|[a-zA-Z0-9_.-]+))\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static bool IsWellFormed(string scope) => scope.Length <= 100 && Pattern.IsMatch(scope);
}
