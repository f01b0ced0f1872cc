using Bulwark.Core.Audit;

namespace Bulwark.Storage.Tests.Conformance;

// AUD-3: retention cuts each chain from its start behind a checkpoint appended to it, so what is
// left still verifies; finished jobs past their window go with their attempts, logs and variables.
public abstract partial class StoreConformanceTests
{
    [Fact] // AUD-2, AUD-3
    public async Task Sweep_cuts_expired_entries_behind_a_checkpoint_and_the_rest_still_verifies()
    {
        var acme = await NewTenantAsync("acme");
        for (var i = 0; i < 3; i++)
        {
            await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "old." + i), Ct);
            await Store.AppendAuditAsync(ChainEntry(null, "old.system." + i), Ct);
        }

        Clock.Advance(TimeSpan.FromDays(400));
        await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "recent"), Ct);
        var lastOld = (await AllAuditAsync()).Last(e => e.Chain == acme.TenantId && e.Entry.Action == "old.2");

        var sweep = await Store.SweepRetentionAsync(new RetentionCutoffs(Now - TimeSpan.FromDays(365), Now - TimeSpan.FromDays(90)), Now, Ct);

        Assert.Equal(new RetentionSweep(6, 2, 0), sweep);
        var left = await AllAuditAsync();
        Assert.DoesNotContain(left, e => e.Entry.Action.StartsWith("old.", StringComparison.Ordinal));
        var checkpoint = left.Single(e => e.Chain == acme.TenantId && e.Entry.Action == AuditCheckpoint.Action);
        Assert.Equal(new AuditCheckpoint(3, lastOld.Hash, 3, Now - TimeSpan.FromDays(365)), AuditCheckpoint.Of(checkpoint.Entry));
        Assert.Equal(lastOld.Hash, left.Single(e => e.Entry.Action == "recent").PrevHash);
        var verification = await VerifyAuditAsync();
        Assert.True(verification.Whole, verification.FirstBreak?.Describe());

        // The trigger still refuses every delete that is not retention's or a purge's.
        await Assert.ThrowsAnyAsync<Exception>(() => ExecuteRawAsync("DELETE FROM audit_log"));
        Assert.Equal(left.Count, (await AllAuditAsync()).Count);
    }

    [Fact] // AUD-3: a later sweep cuts through the earlier checkpoint; appends continue the chain
    public async Task A_second_sweep_cuts_through_the_first_checkpoint_and_the_chain_still_verifies()
    {
        var acme = await NewTenantAsync("acme");
        await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "first"), Ct);
        Clock.Advance(TimeSpan.FromDays(400));
        await Store.SweepRetentionAsync(new RetentionCutoffs(Now - TimeSpan.FromDays(365), Now), Now, Ct);
        await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "second"), Ct);
        Clock.Advance(TimeSpan.FromDays(400));
        await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "third"), Ct);

        var sweep = await Store.SweepRetentionAsync(new RetentionCutoffs(Now - TimeSpan.FromDays(365), Now), Now, Ct);

        Assert.Equal(2, sweep!.AuditEntriesRemoved);
        Assert.Equal(["third", AuditCheckpoint.Action], (await AllAuditAsync()).Select(e => e.Entry.Action));
        Assert.True((await VerifyAuditAsync()).Whole);
    }

    [Fact] // AUD-2: the first entry after a cut with no checkpoint to account for it is named
    public async Task Entries_removed_from_the_start_without_a_checkpoint_are_named()
    {
        var acme = await NewTenantAsync("acme");
        for (var i = 0; i < 3; i++)
        {
            await Store.AppendAuditAsync(ChainEntry(acme.TenantId, "e" + i), Ct);
        }

        var entries = await AllAuditAsync();
        await TamperAsync($"DELETE FROM audit_log WHERE seq = {entries[0].Entry.Sequence}");

        var verification = await VerifyAuditAsync();

        Assert.Equal((acme.TenantId, 2L, (long?)entries[1].Entry.Sequence), Where(verification));
    }

    [Fact] // AUD-3: jobs 90 days after they finished, with every row of theirs; unfinished ones stay
    public async Task Sweep_removes_finished_jobs_past_their_window_with_their_rows()
    {
        var (scope, template) = await TenantWithTemplateAsync();
        var finished = await EnqueueAsync(scope, template);
        var claimed = await ClaimOneAsync();
        await Store.PutVariableAsync(claimed.Lease, "v", "1", Now, Ct);
        await Store.CompleteAsync(claimed.Lease, Succeeded("out\n"), Now, Ct);
        var waiting = await EnqueueAsync(scope, template, delay: TimeSpan.FromDays(200));
        Clock.Advance(TimeSpan.FromDays(91));

        var sweep = await Store.SweepRetentionAsync(new RetentionCutoffs(Now - TimeSpan.FromDays(365), Now - TimeSpan.FromDays(90)), Now, Ct);

        Assert.Equal(1, sweep!.JobsRemoved);
        Assert.Null(await GetAsync(scope, finished.Id));
        Assert.Null(await Store.GetLogsAsync(scope, finished.Id, Ct));
        Assert.NotNull(await GetAsync(scope, waiting.Id));
        // Only its audit entry (kept a year) still names the job.
        Assert.Equal(["audit_log.target"], await CellsHoldingAsync(finished.Id));
    }
}
