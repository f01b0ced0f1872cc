using Bulwark.Core.Errors;

namespace Bulwark.Core.Flags;

/// <summary>The effective value of each flag on this node: configuration and store, the stricter wins (FLAG-2).</summary>
public interface IFeatureFlags
{
    bool IsOn(FeatureFlag flag);
}

public static class FeatureFlagsExtensions
{
    /// <summary>Throws <see cref="FeatureDisabledException"/> (<c>feature_disabled</c>) when the flag is off.</summary>
    public static void Require(this IFeatureFlags flags, FeatureFlag flag)
    {
        if (!flags.IsOn(flag))
        {
            throw new FeatureDisabledException(flag.Name);
        }
    }
}
