using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Common;

/// <summary>The refusals both stores word the same way.</summary>
public static class StoreErrors
{
    /// <summary>JOB-3: the lease's fence no longer matches; nothing was written.</summary>
    public static ConflictException LeaseLost(Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return new($"The lease on job '{lease.JobId}' attempt {lease.Attempt} is no longer held; the write was refused.", "lease_lost");
    }

    /// <summary>Tenant names are unique across tenants (operators address tenants by name).</summary>
    public static ConflictException TenantTaken(string name) =>
        new($"A tenant named '{name}' already exists.", "tenant_exists");
}
