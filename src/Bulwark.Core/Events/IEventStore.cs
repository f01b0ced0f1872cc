using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Events;

/// <summary>The tenant's events (JOB-10), kept for the retention window of AUD-3.</summary>
public interface IEventStore
{
    /// <summary>
    /// Stores <paramref name="tenantEvent"/> in <paramref name="scope"/> (its tenant wins over the
    /// record's) and appends <paramref name="audit"/> (AUD-1) to the tenant's chain in the same
    /// transaction: both are kept, or neither.
    /// </summary>
    Task AddEventAsync(TenantScope scope, TenantEvent tenantEvent, Audit.AuditEntry audit, CancellationToken ct);

    /// <summary>Null when the event does not exist in this tenant (another tenant's is absent too).</summary>
    Task<TenantEvent?> FindEventAsync(TenantScope scope, string eventId, CancellationToken ct);

    /// <summary>AUD-3: removes every tenant's events received before its cutoff in <paramref name="before"/>; returns how many.</summary>
    Task<long> RemoveExpiredEventsAsync(Retention.TenantCutoffs before, CancellationToken ct);
}
