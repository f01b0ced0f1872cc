using Bulwark.Core.Manifests;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// JOB-11: run manifests and replay bundles, one of each per finished job at most, written once.
// AUD-3: each has its own retention window, swept here for every tenant.
public sealed partial class SqliteStore : IManifestStore
{
    public Task<bool> SaveManifestAsync(TenantScope scope, StoredManifest manifest, StoredReplayBundle? bundle, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(manifest);
        return WriteAsync(
            async (c, tx) =>
            {
                var added = await c.Db.ExecuteAsync(
                    "INSERT INTO manifests (job_id, tenant_id, attempt, created_at, manifest_json) "
                    + "VALUES (@JobId, @TenantId, @Attempt, @CreatedAt, @Json) ON CONFLICT (job_id) DO NOTHING",
                    new { manifest.JobId, scope.TenantId, manifest.Attempt, CreatedAt = UnixMs.From(manifest.CreatedAt), manifest.Json },
                    tx);
                if (added == 0)
                {
                    return false;
                }

                if (bundle is not null)
                {
                    await c.Db.ExecuteAsync(
                        "INSERT INTO replay_bundles (job_id, tenant_id, created_at, bundle_json) "
                        + "VALUES (@JobId, @TenantId, @CreatedAt, @Json) ON CONFLICT (job_id) DO NOTHING",
                        new { bundle.JobId, scope.TenantId, CreatedAt = UnixMs.From(bundle.CreatedAt), bundle.Json },
                        tx);
                }

                return true;
            },
            ct);
    }

    public Task<StoredManifest?> FindManifestAsync(TenantScope scope, string jobId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c =>
            {
                var row = await c.Db.QuerySingleOrDefaultAsync<ManifestRow>(
                    "SELECT tenant_id AS TenantId, job_id AS JobId, attempt AS Attempt, created_at AS CreatedAt, manifest_json AS Json FROM manifests WHERE job_id = @jobId AND tenant_id = @TenantId",
                    new { jobId, scope.TenantId });
                return row is null ? null : new StoredManifest(row.TenantId, row.JobId, checked((int)row.Attempt), UnixMs.To(row.CreatedAt), row.Json);
            },
            ct);
    }

    public Task<AttemptRecord?> FindAttemptAsync(TenantScope scope, string jobId, int attempt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c =>
            {
                var row = await c.Db.QuerySingleOrDefaultAsync<AttemptRow>(
                    "SELECT attempt AS Attempt, started_at AS StartedAt, finished_at AS FinishedAt, outcome AS Outcome, exit_code AS ExitCode FROM attempts "
                    + "WHERE job_id = @jobId AND attempt = @attempt AND tenant_id = @TenantId",
                    new { jobId, attempt, scope.TenantId });
                return row?.ToRecord();
            },
            ct);
    }

    public Task<JobTemplate?> FindTemplateVersionAsync(TenantScope scope, string templateId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c =>
            {
                var row = await c.Db.QuerySingleOrDefaultAsync<TemplateRow>(
                    $"SELECT {TemplateRow.Columns} FROM templates WHERE id = @templateId AND (tenant_id = @TenantId OR tenant_id IS NULL)",
                    new { templateId, scope.TenantId });
                return row is null ? null : CacheTemplate(row);
            },
            ct);
    }

    public Task<StoredReplayBundle?> FindReplayBundleAsync(string jobId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return ReadAsync(
            async c =>
            {
                var row = await c.Db.QuerySingleOrDefaultAsync<BundleRow>(
                    "SELECT tenant_id AS TenantId, job_id AS JobId, created_at AS CreatedAt, bundle_json AS Json FROM replay_bundles WHERE job_id = @jobId",
                    new { jobId });
                return row is null ? null : new StoredReplayBundle(row.TenantId, row.JobId, UnixMs.To(row.CreatedAt), row.Json);
            },
            ct);
    }

    public Task<ManifestSweep> RemoveExpiredManifestsAsync(ManifestCutoffs cutoffs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        return WriteAsync(
            async (c, tx) =>
            {
                var manifests = await c.Db.ExecuteAsync(
                    "DELETE FROM manifests WHERE created_at < @before", new { before = UnixMs.From(cutoffs.ManifestsBefore) }, tx);
                var bundles = await c.Db.ExecuteAsync(
                    "DELETE FROM replay_bundles WHERE created_at < @before", new { before = UnixMs.From(cutoffs.BundlesBefore) }, tx);
                return new ManifestSweep(manifests, bundles);
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
