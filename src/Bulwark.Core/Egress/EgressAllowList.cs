namespace Bulwark.Core.Egress;

/// <summary>The hosts one tenant may reach (NET-1). Empty, the default, reaches none.</summary>
public sealed class EgressAllowList(IReadOnlyList<HostPattern> patterns)
{
    public static EgressAllowList None { get; } = new([]);

    public IReadOnlyList<HostPattern> Patterns { get; } = patterns;

    public bool Allows(string host) => Patterns.Any(p => p.Matches(host));

    /// <exception cref="FormatException">An entry is not a host pattern.</exception>
    public static EgressAllowList Parse(string? value) =>
        new((value ?? "").Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(HostPattern.Parse)
            .ToArray());

    public override string ToString() => string.Join(",", Patterns);
}
