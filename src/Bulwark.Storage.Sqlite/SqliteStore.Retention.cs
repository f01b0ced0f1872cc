using Bulwark.Core.Audit;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// AUD-3: retention. Each chain is cut in its own write transaction: the checkpoint is appended and
// the entries it covers deleted together, so a chain is never left cut without its checkpoint.
public sealed partial class SqliteStore
{
    private const string FinishedJobs =
        "SELECT id FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled', 'dead') AND finished_at < @before";

    public async Task<RetentionSweep?> SweepRetentionAsync(RetentionCutoffs cutoffs, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        var auditBefore = UnixMs.From(cutoffs.AuditBefore);
        long removed = 0;
        var checkpoints = 0;
        foreach (var head in await ListAuditChainHeadsAsync(ct))
        {
            var cut = await WriteAsync((c, tx) => CutChainAsync(c, tx, head.Chain, auditBefore, now, ct), ct);
            removed += cut;
            checkpoints += cut > 0 ? 1 : 0;
        }

        // Entries from before the chain existed have no chain to checkpoint; verify accepts their absence.
        removed += await WriteAsync(
            (c, tx) => WithAuditDeletePermitAsync(c, tx, () => c.Db.ExecuteAsync(
                "DELETE FROM audit_log WHERE chain = @unsealed AND at < @auditBefore",
                new { unsealed = AuditChain.UnsealedChain, auditBefore }, tx)),
            ct);

        var jobs = await WriteAsync(
            async (c, tx) =>
            {
                var parameters = new { before = UnixMs.From(cutoffs.JobsBefore) };
                foreach (var child in new[] { "job_logs", "job_variables", "attempts" })
                {
                    await c.Db.ExecuteAsync($"DELETE FROM {child} WHERE job_id IN ({FinishedJobs})", parameters, tx);
                }

                return await c.Db.ExecuteAsync($"DELETE FROM jobs WHERE id IN ({FinishedJobs})", parameters, tx);
            },
            ct);
        return new RetentionSweep(removed, checkpoints, jobs);
    }

    private async Task<long> CutChainAsync(
        Connections.StoreConnection c, Microsoft.Data.Sqlite.SqliteTransaction tx, string chain, long before, DateTimeOffset now, CancellationToken ct)
    {
        // Through the last entry before the first one still within retention, so an entry is
        // never removed while an older one stays.
        var window = await c.Db.QuerySingleAsync<(long? FirstKept, long? Last)>(
            "SELECT min(CASE WHEN at >= @before THEN chain_seq END), max(chain_seq) FROM audit_log WHERE chain = @chain",
            new { chain, before }, tx);
        if (window.Last is not { } last)
        {
            return 0;
        }

        var through = window.FirstKept is { } firstKept ? firstKept - 1 : last;
        var covered = await c.Db.QuerySingleAsync<(long Count, byte[]? Hash)>(
            "SELECT count(*), (SELECT hash FROM audit_log WHERE chain = @chain AND chain_seq = @through) "
            + "FROM audit_log WHERE chain = @chain AND chain_seq <= @through",
            new { chain, through }, tx);
        if (covered.Count == 0 || covered.Hash is null)
        {
            return 0;
        }

        var checkpoint = new AuditCheckpoint(through, Convert.ToHexStringLower(covered.Hash), covered.Count, UnixMs.To(before));
        await AppendSealedAsync(c, tx, checkpoint.ToEntry(chain, now), ct);
        return await WithAuditDeletePermitAsync(c, tx, () => c.Db.ExecuteAsync(
            "DELETE FROM audit_log WHERE chain = @chain AND chain_seq <= @through", new { chain, through }, tx));
    }
}
