using Bulwark.Core.Errors;

namespace Bulwark.Core.Flags;

/// <summary>
/// The effective value of each flag on this node (FLAG-2): configuration, the store's node-wide
/// value and, for a tenant, that tenant's own value in the store; the strictest wins, so neither a
/// tenant nor the store can switch on what configuration keeps off.
/// </summary>
public interface IFeatureFlags
{
    /// <summary>Node-wide: configuration and the store's global value.</summary>
    bool IsOn(FeatureFlag flag);

    /// <summary>For one tenant: the node-wide value and the tenant's own value, the stricter wins.</summary>
    bool IsOn(FeatureFlag flag, string tenantId);
}

public static class FeatureFlagsExtensions
{
    /// <summary>Throws <see cref="FeatureDisabledException"/> (<c>feature_disabled</c>) when the flag is off node-wide.</summary>
    public static void Require(this IFeatureFlags flags, FeatureFlag flag)
    {
        if (!flags.IsOn(flag))
        {
            throw new FeatureDisabledException(flag.Name);
        }
    }

    /// <summary>Throws <see cref="FeatureDisabledException"/> when the flag is off for <paramref name="tenantId"/>.</summary>
    public static void Require(this IFeatureFlags flags, FeatureFlag flag, string tenantId)
    {
        if (!flags.IsOn(flag, tenantId))
        {
            throw new FeatureDisabledException(flag.Name);
        }
    }
}
