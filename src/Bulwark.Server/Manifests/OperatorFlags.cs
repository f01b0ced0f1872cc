using Bulwark.Core.Flags;
using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Manifests;

/// <summary>
/// FLAG-2 for a command run straight against the store (no server, no refresher): configuration
/// and the store's values as read once at the start, the stricter winning — node-wide, then the
/// tenant's own value on top, so an operator command sees what every server would.
/// </summary>
public sealed class OperatorFlags : IFeatureFlags
{
    private readonly BulwarkOptions _options;
    private readonly IReadOnlyList<StoredFlag> _stored;

    private OperatorFlags(BulwarkOptions options, IReadOnlyList<StoredFlag> stored)
    {
        _options = options;
        _stored = stored;
    }

    /// <summary>Reads the store's flags when the store keeps any (<see cref="IFlagStore"/>); configuration alone otherwise.</summary>
    public static async Task<OperatorFlags> ReadAsync(BulwarkOptions options, IBulwarkStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stored = store is IFlagStore flags ? await flags.ReadFlagsAsync(ct) : [];
        return new OperatorFlags(options, stored);
    }

    public bool IsOn(FeatureFlag flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        return flag.Effective(_options.Configured(flag), Stored(flag, null));
    }

    public bool IsOn(FeatureFlag flag, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(flag);
        return flag.Effective(IsOn(flag), Stored(flag, tenantId));
    }

    private bool? Stored(FeatureFlag flag, string? tenantId) =>
        _stored.LastOrDefault(s => s.TenantId == tenantId && string.Equals(s.Name, flag.Name, StringComparison.Ordinal))?.On;
}
