using Bulwark.Core.Flags;

namespace Bulwark.Server.Flags;

/// <summary>The store's flag values as one immutable read: node-wide ones and each tenant's own.</summary>
internal sealed class FlagSnapshot
{
    private readonly Dictionary<string, bool> _node;
    private readonly Dictionary<(string TenantId, string Name), bool> _tenants;

    private FlagSnapshot(Dictionary<string, bool> node, Dictionary<(string, string), bool> tenants)
    {
        _node = node;
        _tenants = tenants;
    }

    public static FlagSnapshot Empty { get; } = Of([]);

    public static FlagSnapshot Of(IEnumerable<StoredFlag> stored)
    {
        var node = new Dictionary<string, bool>(StringComparer.Ordinal);
        var tenants = new Dictionary<(string, string), bool>();
        foreach (var flag in stored)
        {
            if (flag.TenantId is null)
            {
                node[flag.Name] = flag.On;
            }
            else
            {
                tenants[(flag.TenantId, flag.Name)] = flag.On;
            }
        }

        return new FlagSnapshot(node, tenants);
    }

    /// <summary>The store's node-wide value, null when never set.</summary>
    public bool? Node(FeatureFlag flag) => _node.TryGetValue(flag.Name, out var on) ? on : null;

    /// <summary>The tenant's own value, null when never set.</summary>
    public bool? Tenant(FeatureFlag flag, string tenantId) => _tenants.TryGetValue((tenantId, flag.Name), out var on) ? on : null;
}
