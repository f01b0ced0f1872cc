namespace Bulwark.Core.Flags;

/// <summary>
/// Flag values kept in the store, shared by every node (FLAG-2): node-wide ones (no tenant) set by
/// the operator, and a tenant's own ones, which can only make that tenant stricter. A flag never set
/// has no entry: configuration alone decides it.
/// </summary>
public interface IFlagStore
{
    /// <summary>Every flag value set in the store, node-wide and of every tenant.</summary>
    Task<IReadOnlyList<StoredFlag>> ReadFlagsAsync(CancellationToken ct);

    /// <summary>
    /// Sets one value (node-wide when <see cref="StoredFlag.TenantId"/> is null, replacing any
    /// earlier one of the same scope and name) and returns the value it replaced, null if none.
    /// </summary>
    Task<bool?> SetFlagAsync(StoredFlag flag, CancellationToken ct);
}

/// <summary>A flag's value in the store: node-wide when <see cref="TenantId"/> is null; who set it and when.</summary>
public sealed record StoredFlag(string? TenantId, string Name, bool On, string ChangedBy, DateTimeOffset ChangedAt);
