using Bulwark.Core.Audit;

namespace Bulwark.Storage.Tests.Conformance;

// The audit log (AUD-1, AUD-2): appended, listed per tenant, never changed.
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task ListAudit_returns_only_the_tenant_entries_newest_first()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        await Store.AppendAuditAsync(Entry(acme.TenantId, "key.create"), Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.AppendAuditAsync(Entry(other.TenantId, "key.create"), Ct);
        await Store.AppendAuditAsync(Entry(null, "tenant.create"), Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var last = Entry(acme.TenantId, "auth.failure") with { Outcome = "denied", DryRun = true, DetailJson = """{"reason":"expired"}""" };
        await Store.AppendAuditAsync(last, Ct);

        var listed = await Store.ListAuditAsync(acme, 10, Ct);

        Assert.Equal(["auth.failure", "key.create"], listed.Select(e => e.Action));
        Assert.All(listed, e => Assert.Equal(acme.TenantId, e.TenantId));
        Assert.True(listed[0].Sequence > listed[1].Sequence);
        Assert.Equal(last with { Sequence = listed[0].Sequence }, listed[0]);
        Assert.Single(await Store.ListAuditAsync(acme, 1, Ct));
    }

    [Theory]
    [InlineData("UPDATE audit_log SET outcome = 'success'")]
    [InlineData("DELETE FROM audit_log")]
    public async Task Audit_log_refuses_raw_update_and_delete(string sql)
    {
        var acme = await NewTenantAsync("acme");
        var entry = Entry(acme.TenantId, "auth.failure") with { Outcome = "denied" };
        await Store.AppendAuditAsync(entry, Ct);

        // AUD-2: the database itself refuses, whoever connects.
        await Assert.ThrowsAnyAsync<Exception>(() => ExecuteRawAsync(sql));

        var listed = Assert.Single(await Store.ListAuditAsync(acme, 10, Ct));
        Assert.Equal("denied", listed.Outcome);
    }

    private AuditEntry Entry(string? tenantId, string action) => new()
    {
        At = Now,
        TenantId = tenantId,
        Actor = "operator",
        Action = action,
        Target = "t",
        Outcome = "success",
        RequestId = "req",
        TraceId = "trace",
        LatencyMs = 12,
    };
}
