using Bulwark.Core.Audit;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Tests.Conformance;

// The audit chain (AUD-2): every append is sealed into its chain (one per tenant, one for the
// system); verify recomputes every chain and names the first entry an attacker with the database
// but without the key edited, removed, inserted or moved.
public abstract partial class StoreConformanceTests
{
    [Fact] // AUD-2
    public async Task Appends_are_sealed_into_one_chain_per_tenant_and_one_system_chain()
    {
        var (acme, template) = await TenantWithTemplateAsync("acme");
        var other = await NewTenantAsync("other");
        await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "key.create"), Ct);
        await Store.AppendAuditAsync(ChainEntry(null, "tenant.create"), Ct);
        await EnqueueAsync(acme, template);
        await Store.AppendAuditAsync(ChainEntry(other.TenantId, "key.create"), Ct);
        await Store.AppendAuditAsync(ChainEntry(null, "template.put"), Ct);

        var all = await AllAuditAsync();

        Assert.Equal(
            [(acme.TenantId, 1L), (AuditChain.SystemChain, 1L), (acme.TenantId, 2L), (other.TenantId, 1L), (AuditChain.SystemChain, 2L)],
            all.Select(e => (e.Chain, e.ChainSeq)));
        Assert.Equal(Convert.ToHexStringLower(AuditChain.Genesis.Span), all[0].PrevHash);
        Assert.Equal(all[0].Hash, all[2].PrevHash);
        Assert.Equal(all[1].Hash, all[4].PrevHash);
        Assert.Equal(
            Convert.ToHexStringLower(AuditChain.Seal(AuditKey, all[3].Entry, other.TenantId, 1, AuditChain.Genesis.Span)),
            all[3].Hash);
        var heads = await Store.ListAuditChainHeadsAsync(Ct);
        Assert.Equal(
            new[] { (acme.TenantId, 2L, all[2].Hash), (other.TenantId, 1L, all[3].Hash), (AuditChain.SystemChain, 2L, all[4].Hash) }
                .OrderBy(h => h.Item1, StringComparer.Ordinal),
            heads.Select(h => (h.Chain, h.LastSeq, h.LastHash)).OrderBy(h => h.Chain, StringComparer.Ordinal));

        var verification = await VerifyAuditAsync();
        Assert.True(verification.Whole, verification.FirstBreak?.Describe());
        Assert.Equal((5L, 3, 0L), (verification.Entries, verification.Chains, verification.Unsealed));
    }

    [Fact] // AUD-2: another process on the same database continues the same chains
    public async Task A_second_store_on_the_same_database_extends_the_same_chain()
    {
        var acme = await NewTenantAsync("acme");
        await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "key.create"), Ct);
        var second = await OpenAnotherAsync();
        await second.AppendAuditAsync(ChainEntry(acme.TenantId, "key.revoke"), Ct);
        await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "key.create"), Ct);

        Assert.Equal([1L, 2L, 3L], (await AllAuditAsync()).Select(e => e.ChainSeq));
        Assert.True((await VerifyAuditAsync()).Whole);
    }

    [Fact] // AUD-2: the key is the seal; a verifier with another key accepts nothing
    public async Task Verify_with_another_key_names_the_first_entry()
    {
        var acme = await NewTenantAsync("acme");
        await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "key.create"), Ct);
        var first = (await AllAuditAsync())[0];

        var verification = await AuditVerifier.VerifyAsync(Store, AuditKey.Generate(), Ct);

        Assert.Equal((acme.TenantId, 1L, first.Entry.Sequence), Where(verification));
    }

    public static TheoryData<string> Tampering => ["edit", "delete", "insert", "swap"];

    [Theory] // AUD-2: edit, deletion, insertion, reordering made directly in the database
    [MemberData(nameof(Tampering))]
    public async Task Verify_names_the_first_bad_entry_after_tampering_in_the_database(string tampering)
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        for (var i = 1; i <= 4; i++)
        {
            await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "action." + i), Ct);
            await Store.AppendAuditAsync(ChainEntry(other.TenantId, "other." + i), Ct);
        }

        var acmeEntries = (await AllAuditAsync()).Where(e => e.Chain == acme.TenantId).ToList();
        var (second, third) = (acmeEntries[1], acmeEntries[2]);
        Assert.True((await VerifyAuditAsync()).Whole);

        var expected = tampering switch
        {
            "edit" => await TamperedAsync($"UPDATE audit_log SET outcome = 'denied' WHERE seq = {second.Entry.Sequence}", second),
            "delete" => await TamperedAsync($"DELETE FROM audit_log WHERE seq = {second.Entry.Sequence}", third),
            "insert" => await ForgedAsync(acmeEntries[^1]),
            _ => await TamperedAsync(
                $"UPDATE audit_log SET action = CASE seq WHEN {second.Entry.Sequence} THEN 'action.3' ELSE 'action.2' END "
                + $"WHERE seq IN ({second.Entry.Sequence}, {third.Entry.Sequence})",
                second),
        };

        var verification = await VerifyAuditAsync();
        Assert.False(verification.Whole);
        Assert.Equal(expected, Where(verification));
    }

    [Fact] // AUD-2: entries cut from the end of a chain are missed by the entries, not by the head
    public async Task Verify_names_entries_cut_from_the_end_of_a_chain()
    {
        var acme = await NewTenantAsync("acme");
        for (var i = 1; i <= 3; i++)
        {
            await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "action." + i), Ct);
        }

        var last = (await AllAuditAsync())[^1];
        await TamperAsync($"DELETE FROM audit_log WHERE seq = {last.Entry.Sequence}");

        var verification = await VerifyAuditAsync();

        Assert.Equal((acme.TenantId, 3L, (long?)null), (verification.FirstBreak!.Chain, verification.FirstBreak.ChainSeq, verification.FirstBreak.Seq));
    }

    [Fact] // API: GET /v1/audit's store side: the tenant's own entries, filtered, newest first, by cursor
    public async Task QueryAudit_filters_by_time_and_action_and_pages_by_cursor_within_the_tenant()
    {
        var acme = await NewTenantAsync("acme");
        var other = await NewTenantAsync("other");
        var start = Now;
        for (var i = 0; i < 5; i++)
        {
            await Store.AppendAuditAsync(ChainEntry(acme.TenantId, i % 2 == 0 ? "job.submit" : "key.create"), Ct);
            await Store.AppendAuditAsync(ChainEntry(other.TenantId, "job.submit"), Ct);
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var firstPage = await Store.QueryAuditAsync(acme, new AuditQuery { Limit = 2 }, Ct);
        var secondPage = await Store.QueryAuditAsync(acme, new AuditQuery { Limit = 2, BeforeSeq = firstPage[^1].Entry.Sequence }, Ct);
        var submits = await Store.QueryAuditAsync(acme, new AuditQuery { Action = "job.submit" }, Ct);
        var window = await Store.QueryAuditAsync(acme, new AuditQuery { From = start + TimeSpan.FromMinutes(1), To = start + TimeSpan.FromMinutes(3) }, Ct);

        Assert.Equal([5L, 4L], firstPage.Select(e => e.ChainSeq));
        Assert.Equal([3L, 2L], secondPage.Select(e => e.ChainSeq));
        Assert.Equal([5L, 3L, 1L], submits.Select(e => e.ChainSeq));
        Assert.Equal([3L, 2L], window.Select(e => e.ChainSeq));
        Assert.All(firstPage.Concat(secondPage).Concat(submits).Concat(window), e => Assert.Equal(acme.TenantId, e.Chain));
    }

    [Fact] // FLAG-4: the operator's export reads one chain or all, within a time window
    public async Task ReadAuditChains_filters_by_chain_and_window_in_store_order()
    {
        var acme = await NewTenantAsync("acme");
        var start = Now;
        await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "a"), Ct);
        Clock.Advance(TimeSpan.FromHours(1));
        await Store.AppendAuditAsync(ChainEntry(null, "b"), Ct);
        await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "c"), Ct);

        var acmeOnly = await Store.ReadAuditChainsAsync(new AuditChainRead { Chain = acme.TenantId }, Ct);
        var late = await Store.ReadAuditChainsAsync(new AuditChainRead { From = start + TimeSpan.FromMinutes(30) }, Ct);
        var early = await Store.ReadAuditChainsAsync(new AuditChainRead { To = start + TimeSpan.FromMinutes(30) }, Ct);

        Assert.Equal(["a", "c"], acmeOnly.Select(e => e.Entry.Action));
        Assert.Equal(["b", "c"], late.Select(e => e.Entry.Action));
        Assert.Equal(["a"], early.Select(e => e.Entry.Action));
    }

    /// <summary>Runs the tampering and returns where verify must point: at <paramref name="bad"/>.</summary>
    private async Task<(string, long, long?)> TamperedAsync(string sql, SealedAuditEntry bad)
    {
        await TamperAsync(sql);
        return (bad.Chain, bad.ChainSeq, bad.Entry.Sequence);
    }

    /// <summary>Inserts a copy of <paramref name="last"/> as the chain's next entry, with a hash the forger could not compute.</summary>
    private async Task<(string, long, long?)> ForgedAsync(SealedAuditEntry last)
    {
        await TamperAsync(
            "INSERT INTO audit_log (at, tenant_id, actor, action, target, outcome, dry_run, chain, chain_seq, prev_hash, hash) "
            + "SELECT at, tenant_id, actor, 'forged', target, outcome, dry_run, chain, chain_seq + 1, hash, prev_hash "
            + $"FROM audit_log WHERE seq = {last.Entry.Sequence}");
        var forged = (await AllAuditAsync()).Single(e => e.Entry.Action == "forged");
        return (last.Chain, last.ChainSeq + 1, forged.Entry.Sequence);
    }

    private static (string, long, long?) Where(AuditVerification verification)
    {
        Assert.NotNull(verification.FirstBreak);
        return (verification.FirstBreak.Chain, verification.FirstBreak.ChainSeq, verification.FirstBreak.Seq);
    }

    protected Task<AuditVerification> VerifyAuditAsync() => AuditVerifier.VerifyAsync(Store, AuditKey, Ct);

    protected async Task<IReadOnlyList<SealedAuditEntry>> AllAuditAsync() =>
        await Store.ReadAuditChainsAsync(new AuditChainRead { Limit = AuditChainRead.MaxLimit }, Ct);

    protected AuditEntry ChainEntry(string? tenantId, string action) => new()
    {
        At = Now,
        TenantId = tenantId,
        Actor = "operator",
        Action = action,
        Target = "t",
        Outcome = "success",
        RequestId = "req",
        TraceId = "trace",
        LatencyMs = 5,
        DetailJson = """{"n":1}""",
    };
}
