namespace Bulwark.Core.Audit;

/// <summary>
/// TEN-4: what a tenant purge removed, per table (row counts only, never content). The same counts
/// are the detail of the <c>tenant.purge</c> entry the purge appends to the system chain.
/// </summary>
public sealed record TenantPurge(string TenantId, IReadOnlyDictionary<string, long> RowsByTable)
{
    public const string Action = "tenant.purge";

    public long TotalRows => RowsByTable.Values.Sum();
}
