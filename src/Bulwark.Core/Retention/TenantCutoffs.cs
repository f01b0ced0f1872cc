using System.Collections.Frozen;

namespace Bulwark.Core.Retention;

/// <summary>
/// AUD-3: one data type's retention cutoff in one sweep: rows older than <see cref="Default"/> go,
/// except for the tenants (by id) in <see cref="ByTenant"/>, whose own window gives their cutoff.
/// </summary>
public sealed record TenantCutoffs(DateTimeOffset Default, IReadOnlyDictionary<string, DateTimeOffset> ByTenant)
{
    private static readonly IReadOnlyDictionary<string, DateTimeOffset> NoTenants =
        FrozenDictionary<string, DateTimeOffset>.Empty;

    /// <summary>A single cutoff reads as the same cutoff for every tenant.</summary>
    public static implicit operator TenantCutoffs(DateTimeOffset before) => new(before, NoTenants);

    /// <summary>The cutoff of <paramref name="tenantId"/>; rows of no tenant (null) use the default.</summary>
    public DateTimeOffset For(string? tenantId) =>
        tenantId is not null && ByTenant.TryGetValue(tenantId, out var own) ? own : Default;
}
