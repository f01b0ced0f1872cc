using Bulwark.Core.Flags;

namespace Bulwark.Server.Flags;

/// <summary>
/// One flag as <c>bulwark flags</c> shows it (FLAG-2): the configured value, the store's node-wide
/// value and, when asked for one tenant, that tenant's own value (null: not set), and the stricter
/// of them all, which is what a node acts on.
/// </summary>
public sealed record FlagReport(FeatureFlag Flag, bool Configured, bool? Node, bool? Tenant)
{
    public bool Effective => Flag.Effective(Flag.Effective(Configured, Node), Tenant);
}
