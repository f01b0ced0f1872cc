using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Runtime;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Tests.Conformance;

// TEN-4, right to deletion: a purge removes every row of the tenant in every table the database
// lists, leaves every other tenant as it was, and is recorded (counts only) on the system chain.
public abstract partial class StoreConformanceTests
{
    [Fact] // TEN-4
    public async Task Purge_leaves_no_row_of_the_tenant_in_any_table_and_is_recorded_on_the_system_chain()
    {
        var acme = await FullTenantAsync("acme");
        var other = await FullTenantAsync("other");
        await Store.AppendAuditAsync(ChainEntry(null, "tenant.create"), Ct);
        var otherBefore = await CellsHoldingAsync(other.TenantId);
        Assert.Contains("audit_chain_heads.chain", await CellsHoldingAsync(acme.TenantId));

        var purge = await Store.PurgeTenantAsync("acme", PurgeRecord(), Ct);

        Assert.NotNull(purge);
        Assert.Equal(acme.TenantId, purge.TenantId);
        Assert.True(purge.RowsByTable["jobs"] == 1 && purge.RowsByTable["tenants"] == 1 && purge.RowsByTable["audit_log"] >= 2);
        // Only the purge record itself names the purged id.
        Assert.Equal(["audit_log.target"], await CellsHoldingAsync(acme.TenantId));
        Assert.Equal(otherBefore, await CellsHoldingAsync(other.TenantId));
        Assert.Null(await Store.FindTenantByNameAsync("acme", Ct));
        var record = (await AllAuditAsync()).Single(e => e.Entry.Action == TenantPurge.Action);
        Assert.Equal((AuditChain.SystemChain, (string?)null, acme.TenantId), (record.Chain, record.Entry.TenantId, record.Entry.Target));
        Assert.Equal(AuditSealDetail(purge), record.Entry.DetailJson);
        var verification = await VerifyAuditAsync();
        Assert.True(verification.Whole, verification.FirstBreak?.Describe());
    }

    [Fact] // TEN-4: an unknown name purges nothing and records nothing
    public async Task Purge_of_an_unknown_tenant_returns_null_and_writes_nothing()
    {
        await FullTenantAsync("acme");
        var before = await AllAuditAsync();

        Assert.Null(await Store.PurgeTenantAsync("ghost", PurgeRecord(), Ct));

        Assert.Equal(before.Count, (await AllAuditAsync()).Count);
    }

    private AuditEntry PurgeRecord() => new() { At = Now, Actor = "operator", Action = TenantPurge.Action, Outcome = "success" };

    private static string AuditSealDetail(TenantPurge purge) => Common.AuditSeal.PurgeDetail(purge.RowsByTable);

    /// <summary>A tenant with a row in every table the store's API reaches (the wall seed's shape).</summary>
    private async Task<TenantScope> FullTenantAsync(string name)
    {
        var (scope, template) = await TenantWithTemplateAsync(name);
        await Store.CreateApiKeyAsync(NewKey(scope.TenantId, Now, Scopes.JobsWrite), Ct);
        await Store.EnsureUserAsync(scope, new UserRecord(scope.TenantId, "alice", "alice@example.test", ["operator"], Now, Now), Ct);
        await Store.AddRevocationAsync(new Revocation
        {
            Id = Revocation.NewId(Clock), Kind = RevocationKind.Subject, TenantId = scope.TenantId, Value = "alice",
            CreatedAt = Now, Actor = "operator",
        }, Ct);
        await Store.AppendAuditAsync(ChainEntry(scope.TenantId, "key.create"), Ct);
        await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        await Store.PutVariableAsync(claimed.Lease, "progress", "1", Now, Ct);
        await Store.AppendLogAsync(claimed.Lease, RuntimeLogs.Stream, "hello\n", Now, Ct);
        await Store.AcquireLockAsync(claimed.Lease, "deploy", LeaseTime, Now, Ct);
        await Store.CompleteAsync(claimed.Lease, Succeeded("out\n"), Now, Ct);
        return scope;
    }
}
