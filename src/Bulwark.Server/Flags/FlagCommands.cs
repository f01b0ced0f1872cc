using Bulwark.Core.Audit;
using Bulwark.Core.Errors;
using Bulwark.Core.Flags;
using Bulwark.Core.Storage;
using Bulwark.Server.Audit;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Flags;

/// <summary>
/// The operator's flag commands (FLAG-1, FLAG-2, FLAG-4), run straight against the store by the
/// CLI: node-wide values, a tenant's own value, and the emergency switch that sets every flag to
/// its safe value. Every change is audited with actor <c>operator</c> (on the system chain, or the
/// tenant's for a tenant value) and comes back with its AUD-4 security line.
/// </summary>
public sealed class FlagCommands(IBulwarkStore store, TimeProvider time)
{
    private const string Actor = "operator";

    private readonly IFlagStore _flags = store as IFlagStore
        ?? throw new InvalidOperationException("This store keeps no feature flags.");

    /// <summary>Every flag: configured (from <paramref name="options"/>), the store's node-wide value and the effective one.</summary>
    public async Task<IReadOnlyList<FlagReport>> ListAsync(BulwarkOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = FlagSnapshot.Of(await _flags.ReadFlagsAsync(ct));
        return FeatureFlags.All.Select(f => new FlagReport(f, options.Configured(f), snapshot.Node(f), Tenant: null)).ToList();
    }

    /// <summary>Sets one flag node-wide, or for the named tenant only. An unknown flag or tenant writes nothing.</summary>
    public async Task<FlagChange> SetAsync(string name, bool on, string? tenantName, CancellationToken ct)
    {
        var flag = FlagAudit.Require(name);
        string? tenantId = null;
        if (tenantName is not null)
        {
            tenantId = (await store.FindTenantByNameAsync(tenantName, ct)
                ?? throw new NotFoundException($"There is no tenant named '{tenantName}'.")).Id;
        }

        return await ChangeAsync(flag, on, tenantId, tenantName, FlagAudit.SetAction, ct);
    }

    /// <summary>
    /// FLAG-4, the emergency switch: every flag to its safe value node-wide (features off, guards
    /// on). Returns only what changed in the store; running it twice changes nothing the second time.
    /// </summary>
    public async Task<IReadOnlyList<FlagChange>> OffAllAsync(CancellationToken ct)
    {
        var snapshot = FlagSnapshot.Of(await _flags.ReadFlagsAsync(ct));
        var changes = new List<FlagChange>();
        foreach (var flag in FeatureFlags.All.Where(f => snapshot.Node(f) != f.SafeValue))
        {
            changes.Add(await ChangeAsync(flag, flag.SafeValue, tenantId: null, tenantName: null, FlagAudit.OffAllAction, ct));
        }

        return changes;
    }

    private async Task<FlagChange> ChangeAsync(
        FeatureFlag flag, bool on, string? tenantId, string? tenantName, string action, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var old = await _flags.SetFlagAsync(new StoredFlag(tenantId, flag.Name, on, Actor, now), ct);
        var entry = new AuditEntry
        {
            At = now,
            TenantId = tenantId,
            Actor = Actor,
            Action = action,
            Target = flag.Name,
            Outcome = "success",
            DetailJson = FlagAudit.Detail(old, on, FlagAudit.Scope(tenantName)),
        };
        await store.AppendAuditAsync(entry, ct);
        return new FlagChange(flag, tenantName, old, on, SecurityEventLog.ToJson(entry));
    }
}

/// <summary>One change of a stored flag value: the flag, its scope (null: node-wide), the old and new value, and its AUD-4 line.</summary>
public sealed record FlagChange(FeatureFlag Flag, string? TenantName, bool? Old, bool New, string SecurityLine);
