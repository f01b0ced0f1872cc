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
                    $"INSERT INTO manifests ({ManifestRow.InsertColumns}) "
                    + "VALUES (@JobId, @TenantId, @Attempt, @CreatedAt, @Json) ON CONFLICT (job_id) DO NOTHING",
                    ManifestRow.From(scope.TenantId, manifest),
                    tx.Transaction);
                if (added == 0)
                {
                    return false;
                }

                if (bundle is not null)
                {
                    await tx.Connection.ExecuteAsync(
                        $"INSERT INTO replay_bundles ({ReplayBundleRow.InsertColumns}) "
                        + "VALUES (@JobId, @TenantId, @CreatedAt, @Json) ON CONFLICT (job_id) DO NOTHING",
                        ReplayBundleRow.From(scope.TenantId, bundle),
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
                    $"SELECT {ManifestRow.Columns} FROM manifests WHERE job_id = @jobId",
                    new { jobId },
                    tx.Transaction);
                return row?.ToRecord();
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
                    $"SELECT {AttemptRow.Columns} FROM attempts WHERE job_id = @jobId AND attempt = @attempt",
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
                var row = await connection.QuerySingleOrDefaultAsync<ReplayBundleRow>(
                    $"SELECT {ReplayBundleRow.Columns} FROM find_replay_bundle(@jobId)", new { jobId });
                return row?.ToRecord();
            },
            ct);
    }
}
