using Bulwark.Core.Audit;
using Bulwark.Storage.Postgres.Connections;
using Dapper;

namespace Bulwark.Storage.Postgres;

// AUD-3: retention. One node at a time sweeps (a session advisory lock, released explicitly at the
// end: the pool does not reset connections, so closing would not release it); each chain is cut in its own transaction under its own tenant, where the checkpoint is
// appended and then the entries it covers are deleted by remove_audit_through.
public sealed partial class PostgresStore
{
    // "Bulwark" + 2 in ASCII: the retention sweep's advisory lock (the migrator holds + 1).
    private const long RetentionLockKey = 0x42756C7761726B02;

    public async Task<RetentionSweep?> SweepRetentionAsync(RetentionCutoffs cutoffs, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await using var holder = await _data.OpenConnectionAsync(ct);
        if (!await holder.ExecuteScalarAsync<bool>($"SELECT pg_try_advisory_lock({RetentionLockKey})"))
        {
            return null;
        }

        try
        {
            var auditBefore = UnixMs.From(cutoffs.AuditBefore);
            long removed = 0;
            var checkpoints = 0;
            foreach (var head in await ListAuditChainHeadsAsync(ct))
            {
                var tenant = head.Chain == AuditChain.SystemChain ? null : head.Chain;
                var cut = await InTenantAsync(tenant, tx => CutChainAsync(tx, head.Chain, auditBefore, now, ct), ct);
                removed += cut;
                checkpoints += cut > 0 ? 1 : 0;
            }

            removed += await OutsideTenantsAsync(
                c => c.ExecuteScalarAsync<long>("SELECT remove_unsealed_audit(@auditBefore)", new { auditBefore }), ct);
            var jobs = await OutsideTenantsAsync(
                c => c.ExecuteScalarAsync<long>("SELECT remove_finished_jobs(@before)", new { before = UnixMs.From(cutoffs.JobsBefore) }), ct);
            return new RetentionSweep(removed, checkpoints, jobs);
        }
        finally
        {
            await holder.ExecuteAsync($"SELECT pg_advisory_unlock({RetentionLockKey})");
        }
    }

    private async Task<long> CutChainAsync(TenantTransaction tx, string chain, long before, DateTimeOffset now, CancellationToken ct)
    {
        // The head first: appends to this chain wait until the cut is done, so the cut point holds.
        var head = await LockHeadAsync(tx, ct);

        var cut = await tx.Connection.QuerySingleAsync<(long? Through, byte[]? Hash, long Covered)>(
            "SELECT through, through_hash, covered FROM audit_cut(@chain, @before)", new { chain, before }, tx.Transaction);
        if (cut.Covered == 0 || cut.Through is not { } through || cut.Hash is null)
        {
            return 0;
        }

        var checkpoint = new AuditCheckpoint(through, Convert.ToHexStringLower(cut.Hash), cut.Covered, UnixMs.To(before));
        await using (var append = tx.Batch())
        {
            AddSealed(append, Seal(checkpoint.ToEntry(chain, now), head));
            await append.ExecuteNonQueryAsync(ct);
        }

        await using var remove = tx.Command("SELECT remove_audit_through(@chain, @through)")
            .Bind("chain", chain).Bind("through", through);
        return (long)(await remove.ExecuteScalarAsync(ct))!;
    }
}
