using Bulwark.Core.Audit;

namespace Bulwark.Storage.Tests.Conformance;

// NET-3: rate limits that hold across nodes count the tenant's own audit entries in a window.
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task CountAudit_counts_only_the_tenant_action_and_outcome_since_the_given_time()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        await Store.AppendAuditAsync(Counted(acme.TenantId, "policy_token.issue", "success"), Ct); // before the window
        Clock.Advance(TimeSpan.FromMinutes(10));
        var since = Now;
        var first = Counted(acme.TenantId, "policy_token.issue", "success");
        await Store.AppendAuditAsync(first, Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Store.AppendAuditAsync(Counted(acme.TenantId, "policy_token.issue", "success"), Ct);
        await Store.AppendAuditAsync(Counted(acme.TenantId, "policy_token.issue", "denied"), Ct);
        await Store.AppendAuditAsync(Counted(acme.TenantId, "job.submit", "success"), Ct);
        await Store.AppendAuditAsync(Counted(other.TenantId, "policy_token.issue", "success"), Ct);
        await Store.AppendAuditAsync(Counted(null, "policy_token.issue", "success"), Ct);

        var tally = await Store.CountAuditAsync(acme, "policy_token.issue", "success", since, Ct);

        Assert.Equal(2, tally.Count);
        Assert.Equal(first.At, tally.Earliest);
        var fromAnotherNode = await (await OpenAnotherAsync()).CountAuditAsync(acme, "policy_token.issue", "success", since, Ct);
        Assert.Equal(tally, fromAnotherNode);
    }

    [Fact]
    public async Task CountAudit_is_zero_with_no_earliest_when_nothing_matches()
    {
        var acme = await NewTenantAsync("acme");

        var tally = await Store.CountAuditAsync(acme, "policy_token.issue", "success", Now.AddHours(-1), Ct);

        Assert.Equal(new AuditTally(0, null), tally);
    }

    private AuditEntry Counted(string? tenantId, string action, string outcome) => new()
    {
        At = Now,
        TenantId = tenantId,
        Actor = "key:k1",
        Action = action,
        Target = "t",
        Outcome = outcome,
    };
}
