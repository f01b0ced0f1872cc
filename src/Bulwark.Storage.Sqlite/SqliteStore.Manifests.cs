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
                    $"INSERT INTO manifests ({ManifestRow.InsertColumns}) "
                    + "VALUES (@JobId, @TenantId, @Attempt, @CreatedAt, @Json) ON CONFLICT (job_id) DO NOTHING",
                    ManifestRow.From(scope.TenantId, manifest),
                    tx);
                if (added == 0)
                {
                    return false;
                }

                if (bundle is not null)
                {
                    await c.Db.ExecuteAsync(
                        $"INSERT INTO replay_bundles ({ReplayBundleRow.InsertColumns}) "
                        + "VALUES (@JobId, @TenantId, @CreatedAt, @Json) ON CONFLICT (job_id) DO NOTHING",
                        ReplayBundleRow.From(scope.TenantId, bundle),
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
                    $"SELECT {ManifestRow.Columns} FROM manifests WHERE job_id = @jobId AND tenant_id = @TenantId",
                    new { jobId, scope.TenantId });
                return row?.ToRecord();
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
                    $"SELECT {AttemptRow.Columns} FROM attempts "
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
                var row = await c.Db.QuerySingleOrDefaultAsync<ReplayBundleRow>(
                    $"SELECT {ReplayBundleRow.Columns} FROM replay_bundles WHERE job_id = @jobId",
                    new { jobId });
                return row?.ToRecord();
            },
            ct);
    }
}
