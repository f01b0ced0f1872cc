using System.Text.RegularExpressions;

namespace Bulwark.Core.Tenancy;

/// <summary>The one identifier rule (NET-2): tenant names, template keys, idempotency keys.</summary>
public static partial class Identifiers
{
    // \z, not $: in .NET "$" also matches before a final newline, so "demo\n" would pass.
    [GeneratedRegex(@"^[a-zA-Z0-9_.:-]{1,100}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    /// <summary>Throws <see cref="Errors.InvalidPayloadException"/> naming <paramref name="what"/>.</summary>
    public static string Require(string? value, string what) =>
        IsValid(value)
            ? value!
            : throw new Errors.InvalidPayloadException($"The {what} must match ^[a-zA-Z0-9_.:-]{{1,100}}$.");
}
