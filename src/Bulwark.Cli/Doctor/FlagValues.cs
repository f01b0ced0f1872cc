using Bulwark.Core.Flags;
using Bulwark.Server.Hosting;

namespace Bulwark.Cli.Doctor;

/// <summary>
/// Every flag as a node would see it (FLAG-2): configured, the store's node-wide value, and the
/// stricter of the two. <see cref="Stored"/> is null when the store could not be read.
/// </summary>
internal sealed class FlagValues(BulwarkOptions options, IReadOnlyList<StoredFlag>? stored)
{
    public bool StoreRead => stored is not null;

    public bool Configured(FeatureFlag flag) => options.Configured(flag);

    /// <summary>The node-wide value in the store; null when none was set (or the store was not read).</summary>
    public bool? Stored(FeatureFlag flag) =>
        stored?.FirstOrDefault(s => s.TenantId is null && string.Equals(s.Name, flag.Name, StringComparison.Ordinal))?.On;

    public bool Effective(FeatureFlag flag) => flag.Effective(Configured(flag), Stored(flag));

    /// <summary>Tenants whose own value differs from the node-wide effective one (they can only be stricter).</summary>
    public int TenantValues(FeatureFlag flag) =>
        stored?.Count(s => s.TenantId is not null && string.Equals(s.Name, flag.Name, StringComparison.Ordinal)) ?? 0;

    public void WriteTo(TextWriter writer)
    {
        var table = new TextTable("FLAG", "CONFIGURED", "STORE", "EFFECTIVE", "TENANT VALUES");
        foreach (var flag in FeatureFlags.All)
        {
            var store = StoreRead ? Stored(flag) is { } s ? OnOff(s) : "-" : "?";
            table.Add(flag.Name, OnOff(Configured(flag)), store, OnOff(Effective(flag)),
                TenantValues(flag).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        table.WriteTo(writer);
    }

    private static string OnOff(bool on) => on ? "on" : "off";
}
