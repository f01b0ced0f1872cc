using Bulwark.Core.Fences;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// What <see cref="TwoTenants"/> wrote for one tenant. Every free-text value it stored carries
/// <see cref="Secret"/>, so a leak shows up as the other tenant's secret in a row or an error text.
/// </summary>
public sealed record SeededTenant(
    TenantScope Scope,
    string Secret,
    JobTemplate Template,
    Job Job,
    bool JobCreated,
    bool UserCreated,
    LockGrant Lock)
{
    public string Id => Scope.TenantId;
}
