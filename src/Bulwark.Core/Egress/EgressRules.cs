namespace Bulwark.Core.Egress;

/// <summary>The node-wide part of the guard's rules (NET-1); the tenant part is its <see cref="EgressAllowList"/>.</summary>
public sealed record EgressRules
{
    public static readonly IReadOnlyList<int> DefaultPorts = [80, 443];

    public IReadOnlyList<int> AllowedPorts { get; init; } = DefaultPorts;

    /// <summary>Development and tests only: 127/8 and ::1 pass the deny ranges.</summary>
    public bool AllowLoopback { get; init; }
}
