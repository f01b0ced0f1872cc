using Bulwark.Core.Flags;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Flags;

/// <summary>Flags from configuration alone. Replaced by the store-backed flag state (FLAG-2).</summary>
internal sealed class ConfiguredFlags(BulwarkOptions options) : IFeatureFlags
{
    public bool IsOn(FeatureFlag flag) => options.Configured(flag);

    public bool IsOn(FeatureFlag flag, string tenantId) => IsOn(flag);
}
