namespace Bulwark.Core.Flags;

/// <summary>
/// Flag values kept in the store, shared by every node (FLAG-2). A flag never set in the store has
/// no entry: configuration alone decides it.
/// </summary>
public interface IFlagStore
{
    /// <summary>Every flag set in the store, by <see cref="FeatureFlag.Name"/>.</summary>
    Task<IReadOnlyDictionary<string, StoredFlag>> ReadFlagsAsync(CancellationToken ct);
}

/// <summary>A flag's value in the store, who set it and when.</summary>
public sealed record StoredFlag(string Name, bool On, string ChangedBy, DateTimeOffset ChangedAt);
