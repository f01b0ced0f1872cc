using Bulwark.Core.Audit;
using Bulwark.Core.Manifests;
using Bulwark.Core.Retention;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// AUD-3: retention, per data type and tenant. Each chain is cut in its own write transaction: the
// checkpoint is appended and the entries it covers deleted together, so a chain is never left cut
// without its checkpoint. Everything else is deleted per cutoff group (ByCutoff).
public sealed partial class SqliteStore
{
    private const string Finished = "state IN ('succeeded', 'failed', 'cancelled', 'dead')";

    public async Task<RetentionSweep?> SweepRetentionAsync(RetentionCutoffs cutoffs, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        long removed = 0;
        var checkpoints = 0;
        foreach (var head in await ListAuditChainHeadsAsync(ct))
        {
            var before = UnixMs.From(cutoffs.AuditBefore.For(AuditChain.TenantOf(head.Chain)));
            var cut = await WriteAsync((c, tx) => CutChainAsync(c, tx, head.Chain, before, now, ct), ct);
            removed += cut;
            checkpoints += cut > 0 ? 1 : 0;
        }

        // Entries from before the chain existed have no chain to checkpoint; verify accepts their absence.
        removed += await WriteAsync(
            (c, tx) => WithAuditDeletePermitAsync(c, tx, () => c.Db.ExecuteAsync(
                "DELETE FROM audit_log WHERE chain = @unsealed AND at < @auditBefore",
                new { unsealed = AuditChain.UnsealedChain, auditBefore = UnixMs.From(cutoffs.AuditBefore.Default) }, tx)),
            ct);

        var jobs = await WriteAsync(
            async (c, tx) =>
            {
                long gone = 0;
                foreach (var (tenants, parameters) in ByCutoff(cutoffs.JobsBefore))
                {
                    var expired = $"SELECT id FROM jobs WHERE {tenants} AND {Finished} AND finished_at < @before";
                    foreach (var child in new[] { "job_logs", "job_variables", "attempts" })
                    {
                        await c.Db.ExecuteAsync($"DELETE FROM {child} WHERE job_id IN ({expired})", parameters, tx);
                    }

                    gone += await c.Db.ExecuteAsync($"DELETE FROM jobs WHERE id IN ({expired})", parameters, tx);
                }

                return gone;
            },
            ct);
        return new RetentionSweep(removed, checkpoints, jobs);
    }

    public Task<long> RemoveExpiredEventsAsync(TenantCutoffs before, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(before);
        return WriteAsync((c, tx) => DeleteExpiredAsync(c, tx, "events", "received_at", before), ct);
    }

    public Task<ManifestSweep> RemoveExpiredManifestsAsync(ManifestCutoffs cutoffs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        return WriteAsync(
            async (c, tx) => new ManifestSweep(
                await DeleteExpiredAsync(c, tx, "manifests", "created_at", cutoffs.ManifestsBefore),
                await DeleteExpiredAsync(c, tx, "replay_bundles", "created_at", cutoffs.BundlesBefore)),
            ct);
    }

    /// <summary>
    /// The groups a sweep deletes in: each tenant with a cutoff of its own, then every other tenant
    /// by the default. Each is a condition on <c>tenant_id</c> and its parameters, <c>@before</c> included.
    /// </summary>
    private static IEnumerable<(string Tenants, object Parameters)> ByCutoff(TenantCutoffs cutoffs)
    {
        foreach (var (tenantId, before) in cutoffs.ByTenant)
        {
            yield return ("tenant_id = @tenantId", new { tenantId, before = UnixMs.From(before) });
        }

        yield return ("tenant_id NOT IN @own", new { own = cutoffs.ByTenant.Keys.ToArray(), before = UnixMs.From(cutoffs.Default) });
    }

    private static async Task<long> DeleteExpiredAsync(
        Connections.StoreConnection c, Microsoft.Data.Sqlite.SqliteTransaction tx, string table, string column, TenantCutoffs cutoffs)
    {
        long removed = 0;
        foreach (var (tenants, parameters) in ByCutoff(cutoffs))
        {
            removed += await c.Db.ExecuteAsync($"DELETE FROM {table} WHERE {tenants} AND {column} < @before", parameters, tx);
        }

        return removed;
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
