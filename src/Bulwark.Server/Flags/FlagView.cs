namespace Bulwark.Server.Flags;

/// <summary>
/// One flag in <c>GET /v1/flags</c>: <c>configured</c> (this node's configuration), <c>node</c>
/// (the store's node-wide value), <c>tenant</c> (the caller tenant's own value; null: not set) and
/// <c>enabled</c>, the stricter of them, which is what the caller's jobs get.
/// </summary>
internal sealed record FlagView(
    string Name,
    bool Configured,
    bool? Node,
    bool? Tenant,
    bool Enabled,
    string Setting,
    string Description);

internal sealed record FlagListView(IReadOnlyList<FlagView> Flags);
