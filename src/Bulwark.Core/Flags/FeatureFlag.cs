namespace Bulwark.Core.Flags;

/// <summary>
/// One feature flag of FLAG-1 (seed 000's table). <see cref="SafeWhenOn"/> tells which way is
/// stricter: for a feature (events, action jobs…) off is safe; for a guard (payload validation,
/// policy-token enforcement) on is safe. Configuration and the store each give a value and the
/// stricter of the two wins (FLAG-2).
/// </summary>
public sealed record FeatureFlag(string Name, string Setting, bool Default, bool SafeWhenOn, string Description)
{
    /// <summary>The stricter of two values: for a feature both must say on; for a guard either may.</summary>
    public bool Stricter(bool a, bool b) => SafeWhenOn ? a || b : a && b;

    /// <summary>What this node acts on: configuration alone, or the stricter of it and the store's value.</summary>
    public bool Effective(bool configured, bool? stored) => stored is { } s ? Stricter(configured, s) : configured;

    /// <summary>The value that has no side effects (FLAG-1: what <c>flags off-all</c> sets).</summary>
    public bool SafeValue => SafeWhenOn;

    public override string ToString() => Name;
}
