using Bulwark.Core.Audit;
using Bulwark.Core.Manifests;
using Bulwark.Core.Retention;
using Bulwark.Storage.Postgres.Connections;
using Dapper;
using Npgsql;

namespace Bulwark.Storage.Postgres;

// AUD-3: retention, per data type and tenant. One node at a time sweeps (a session advisory lock,
// released explicitly at the end: the pool does not reset connections, so closing would not
// release it); each chain is cut in its own transaction under its own tenant, where the
// checkpoint is appended and then the entries it covers are deleted by remove_audit_through.
// The other types go through their definer functions, which take the default cutoff and the
// tenants with cutoffs of their own as two arrays.
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
            long removed = 0;
            var checkpoints = 0;
            foreach (var head in await ListAuditChainHeadsAsync(ct))
            {
                var tenant = AuditChain.TenantOf(head.Chain);
                var before = UnixMs.From(cutoffs.AuditBefore.For(tenant));
                var cut = await InTenantAsync(tenant, tx => CutChainAsync(tx, head.Chain, before, now, ct), ct);
                removed += cut;
                checkpoints += cut > 0 ? 1 : 0;
            }

            var auditBefore = UnixMs.From(cutoffs.AuditBefore.Default);
            removed += await OutsideTenantsAsync(
                c => c.ExecuteScalarAsync<long>("SELECT remove_unsealed_audit(@auditBefore)", new { auditBefore }), ct);
            var jobs = await OutsideTenantsAsync(
                async c =>
                {
                    await using var command = new NpgsqlCommand("SELECT remove_finished_jobs(@before, @tenants, @befores)", c);
                    return (long)(await BindCutoffs(command, "", cutoffs.JobsBefore).ExecuteScalarAsync(ct))!;
                },
                ct);
            return new RetentionSweep(removed, checkpoints, jobs);
        }
        finally
        {
            await holder.ExecuteAsync($"SELECT pg_advisory_unlock({RetentionLockKey})");
        }
    }

    public Task<long> RemoveExpiredEventsAsync(TenantCutoffs before, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(before);
        return OutsideTenantsAsync(
            async connection =>
            {
                await using var command = new NpgsqlCommand("SELECT remove_expired_events(@before, @tenants, @befores)", connection);
                return (long)(await BindCutoffs(command, "", before).ExecuteScalarAsync(ct))!;
            },
            ct);
    }

    public Task<ManifestSweep> RemoveExpiredManifestsAsync(ManifestCutoffs cutoffs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        return OutsideTenantsAsync(
            async connection =>
            {
                await using var command = new NpgsqlCommand(
                    "SELECT manifests_removed, bundles_removed FROM remove_expired_manifests("
                    + "@manifest_before, @manifest_tenants, @manifest_befores, @bundle_before, @bundle_tenants, @bundle_befores)",
                    connection);
                BindCutoffs(command, "manifest_", cutoffs.ManifestsBefore);
                BindCutoffs(command, "bundle_", cutoffs.BundlesBefore);
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                return new ManifestSweep(reader.GetInt64(0), reader.GetInt64(1));
            },
            ct);
    }

    /// <summary>A definer function's cutoff parameters: the default, then the tenants with their own and those cutoffs, pairwise.</summary>
    private static NpgsqlCommand BindCutoffs(NpgsqlCommand command, string prefix, TenantCutoffs cutoffs) =>
        command
            .Bind(prefix + "before", UnixMs.From(cutoffs.Default))
            .Bind(prefix + "tenants", cutoffs.ByTenant.Keys.ToArray())
            .Bind(prefix + "befores", cutoffs.ByTenant.Keys.Select(t => UnixMs.From(cutoffs.ByTenant[t])).ToArray());

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
