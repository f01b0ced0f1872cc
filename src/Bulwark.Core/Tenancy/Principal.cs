namespace Bulwark.Core.Tenancy;

/// <summary>Who is calling, as authentication established it.</summary>
public sealed record Principal(
    TenantScope Tenant,
    string Subject,
    string AuthMethod,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Scopes)
{
    public bool Has(string scope) => Tenancy.Scopes.Covers(Scopes, scope);
}
