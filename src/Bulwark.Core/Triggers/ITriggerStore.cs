using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Triggers;

/// <summary>
/// The tenants' triggers (JOB-9). Everything is tenant-scoped except <see cref="ListDueTriggersAsync"/>,
/// the scheduler's cross-tenant look at what is due; it then acts under each trigger's tenant.
/// </summary>
public interface ITriggerStore
{
    /// <summary>
    /// Creates or replaces the tenant's trigger named <c>trigger.Name</c> (the scope's tenant wins
    /// over the record's; a replaced trigger keeps its <c>CreatedAt</c>). Returns the stored trigger.
    /// </summary>
    Task<Trigger> PutTriggerAsync(TenantScope scope, Trigger trigger, CancellationToken ct);

    /// <summary>Null when the tenant has no trigger of that name.</summary>
    Task<Trigger?> GetTriggerAsync(TenantScope scope, string name, CancellationToken ct);

    /// <summary>Every trigger of the tenant, by name.</summary>
    Task<IReadOnlyList<Trigger>> ListTriggersAsync(TenantScope scope, CancellationToken ct);

    /// <summary>False when the tenant has no trigger of that name.</summary>
    Task<bool> DeleteTriggerAsync(TenantScope scope, string name, CancellationToken ct);

    /// <summary>The tenant's enabled event triggers for <paramref name="eventType"/>, by name.</summary>
    Task<IReadOnlyList<Trigger>> ListEventTriggersAsync(TenantScope scope, string eventType, CancellationToken ct);

    /// <summary>
    /// Cross-tenant, for the scheduler only: up to <paramref name="max"/> enabled cron triggers of
    /// active (not suspended) tenants whose next occurrence is at or before <paramref name="now"/>, oldest first.
    /// </summary>
    Task<IReadOnlyList<DueTrigger>> ListDueTriggersAsync(DateTimeOffset now, int max, CancellationToken ct);

    /// <summary>
    /// The no-double-fire guard: moves the trigger from <paramref name="due"/> to <paramref name="next"/>
    /// only when its next occurrence is still <paramref name="due"/>. True for exactly one of any
    /// number of nodes racing for the same occurrence; that one fires it.
    /// </summary>
    Task<bool> AdvanceTriggerAsync(TenantScope scope, string name, DateTimeOffset due, DateTimeOffset? next, CancellationToken ct);
}
