namespace Bulwark.Core.Tenancy;

/// <summary>
/// The tenant every tenant-owned store call runs in (TEN-1). Only authentication (a verified
/// <see cref="Principal"/>) and explicit operator commands create one; store methods that read
/// or write tenant data take it as their first argument, so "forgot the WHERE tenant_id" is not
/// a thing a caller can do.
/// </summary>
public sealed record TenantScope(string TenantId, string TenantName)
{
    public static TenantScope Of(Tenant tenant) => new(tenant.Id, tenant.Name);
}
