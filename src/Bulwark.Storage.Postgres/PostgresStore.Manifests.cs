using Bulwark.Core.Manifests;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Dapper;

namespace Bulwark.Storage.Postgres;

// JOB-11: run manifests and replay bundles under the tenant wall, one of each per finished job at
// most, written once. The operator's lookup of a bundle by job id and the retention sweep cross
// tenants through their own definer functions (find_replay_bundle, remove_expired_manifests).
public sealed partial class PostgresStore : IManifestStore
{
    public Task<bool> SaveManifestAsync(TenantScope scope, StoredManifest manifest, StoredReplayBundle? bundle, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(manifest);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                var added = await tx.Connection.ExecuteAsync(
                    "INSERT INTO manifests (job_id, tenant_id, attempt, created_at, manifest_json) "
                    + "VALUES (@JobId, @TenantId, @Attempt, @CreatedAt, @Json) ON CONFLICT (job_id) DO NOTHING",
                    new { manifest.JobId, scope.TenantId, manifest.Attempt, CreatedAt = UnixMs.From(manifest.CreatedAt), manifest.Json },
                    tx.Transaction);
                if (added == 0)
                {
                    return false;
                }

                if (bundle is not null)
                {
                    await tx.Connection.ExecuteAsync(
                        "INSERT INTO replay_bundles (job_id, tenant_id, created_at, bundle_json) "
                        + "VALUES (@JobId, @TenantId, @CreatedAt, @Json) ON CONFLICT (job_id) DO NOTHING",
                        new { bundle.JobId, scope.TenantId, CreatedAt = UnixMs.From(bundle.CreatedAt), bundle.Json },
                        tx.Transaction);
                }

                return true;
            },
            ct);
    }

    public Task<StoredManifest?> FindManifestAsync(TenantScope scope, string jobId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                var row = await tx.Connection.QuerySingleOrDefaultAsync<ManifestRow>(
                    "SELECT tenant_id AS TenantId, job_id AS JobId, attempt AS Attempt, created_at AS CreatedAt, manifest_json AS Json FROM manifests WHERE job_id = @jobId",
                    new { jobId },
                    tx.Transaction);
                return row is null ? null : new StoredManifest(row.TenantId, row.JobId, checked((int)row.Attempt), UnixMs.To(row.CreatedAt), row.Json);
            },
            ct);
    }

    public Task<AttemptRecord?> FindAttemptAsync(TenantScope scope, string jobId, int attempt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                var row = await tx.Connection.QuerySingleOrDefaultAsync<AttemptRow>(
                    "SELECT attempt AS Attempt, started_at AS StartedAt, finished_at AS FinishedAt, outcome AS Outcome, exit_code AS ExitCode FROM attempts WHERE job_id = @jobId AND attempt = @attempt",
                    new { jobId, attempt },
                    tx.Transaction);
                return row?.ToRecord();
            },
            ct);
    }

    public Task<JobTemplate?> FindTemplateVersionAsync(TenantScope scope, string templateId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                // The policy shows the tenant its own versions and the global ones, nothing else.
                var row = await tx.Connection.QuerySingleOrDefaultAsync<TemplateRow>(
                    $"SELECT {TemplateRow.Columns} FROM templates WHERE id = @templateId",
                    new { templateId },
                    tx.Transaction);
                return row is null ? null : CacheTemplate(row);
            },
            ct);
    }

    public Task<StoredReplayBundle?> FindReplayBundleAsync(string jobId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return OutsideTenantsAsync(
            async connection =>
            {
                var row = await connection.QuerySingleOrDefaultAsync<BundleRow>(
                    "SELECT tenant_id AS TenantId, job_id AS JobId, created_at AS CreatedAt, bundle_json AS Json FROM find_replay_bundle(@jobId)", new { jobId });
                return row is null ? null : new StoredReplayBundle(row.TenantId, row.JobId, UnixMs.To(row.CreatedAt), row.Json);
            },
            ct);
    }

    public Task<ManifestSweep> RemoveExpiredManifestsAsync(ManifestCutoffs cutoffs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        return OutsideTenantsAsync(
            async connection =>
            {
                var row = await connection.QuerySingleAsync<(long Manifests, long Bundles)>(
                    "SELECT manifests_removed, bundles_removed FROM remove_expired_manifests(@manifestsBefore, @bundlesBefore)",
                    new { manifestsBefore = UnixMs.From(cutoffs.ManifestsBefore), bundlesBefore = UnixMs.From(cutoffs.BundlesBefore) });
                return new ManifestSweep(row.Manifests, row.Bundles);
            },
            ct);
    }

    private sealed class ManifestRow
    {
        public string TenantId { get; set; } = "";
        public string JobId { get; set; } = "";
        public long Attempt { get; set; }
        public long CreatedAt { get; set; }
        public string Json { get; set; } = "";
    }

    private sealed class BundleRow
    {
        public string TenantId { get; set; } = "";
        public string JobId { get; set; } = "";
        public long CreatedAt { get; set; }
        public string Json { get; set; } = "";
    }

    private sealed class AttemptRow
    {
        public long Attempt { get; set; }
        public long StartedAt { get; set; }
        public long? FinishedAt { get; set; }
        public string? Outcome { get; set; }
        public long? ExitCode { get; set; }

        public AttemptRecord ToRecord() =>
            new(checked((int)Attempt), UnixMs.To(StartedAt), UnixMs.To(FinishedAt), Outcome, ExitCode is { } x ? checked((int)x) : null);
    }
}
