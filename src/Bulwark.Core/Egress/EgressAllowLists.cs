using System.Collections.Frozen;
using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Egress;

/// <summary>
/// Every tenant's allow-list, from <c>BULWARK_EGRESS_ALLOW_&lt;TENANT&gt;</c> (comma-separated host
/// patterns). The tenant part is the tenant name in upper case with anything but A–Z and 0–9 as
/// <c>_</c> (tenant <c>acme-eu</c> → <c>BULWARK_EGRESS_ALLOW_ACME_EU</c>). A tenant nobody listed
/// reaches no host.
/// </summary>
public sealed class EgressAllowLists
{
    private const string Prefix = "BULWARK_EGRESS_ALLOW_";

    // BULWARK_EGRESS_ALLOW_LOOPBACK is a switch of its own, not the list of a tenant named "loopback".
    private static readonly string[] NotTenants = ["LOOPBACK"];

    private readonly FrozenDictionary<string, EgressAllowList> _byTenant;

    private EgressAllowLists(IDictionary<string, EgressAllowList> byTenant) =>
        _byTenant = byTenant.ToFrozenDictionary(StringComparer.Ordinal);

    public static EgressAllowLists Empty { get; } = new(new Dictionary<string, EgressAllowList>());

    public IReadOnlyCollection<string> Tenants => _byTenant.Keys;

    public EgressAllowList For(string tenantName) =>
        _byTenant.GetValueOrDefault(KeyOf(tenantName)) ?? EgressAllowList.None;

    /// <summary>Throws <see cref="FormatException"/> naming the variable when an entry is not a host pattern.</summary>
    public static EgressAllowLists Parse(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var lists = new Dictionary<string, EgressAllowList>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.Length == Prefix.Length)
            {
                continue;
            }

            var tenant = KeyOf(name[Prefix.Length..]);
            if (Array.IndexOf(NotTenants, tenant) >= 0)
            {
                continue;
            }

            try
            {
                lists[tenant] = EgressAllowList.Parse(value);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{name}: {e.Message}", e);
            }
        }

        return new EgressAllowLists(lists);
    }

    public static EgressAllowLists Of(IReadOnlyDictionary<string, string> byTenantName) =>
        new(byTenantName.ToDictionary(p => KeyOf(p.Key), p => EgressAllowList.Parse(p.Value)));

    private static string KeyOf(string tenantName) => TenantSettingKey.Of(tenantName);
}
