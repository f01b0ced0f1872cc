using Bulwark.Core.Manifests;

namespace Bulwark.Storage.Common.Rows;

/// <summary>A replay_bundles row as selected with <see cref="Columns"/>, and the parameters of its insert.</summary>
public sealed class ReplayBundleRow
{
    /// <summary>The columns of the insert, in the order of its values.</summary>
    public const string InsertColumns = "job_id, tenant_id, created_at, bundle_json";

    public const string Columns = "tenant_id AS TenantId, job_id AS JobId, created_at AS CreatedAt, bundle_json AS Json";

    public string TenantId { get; set; } = "";
    public string JobId { get; set; } = "";
    public long CreatedAt { get; set; }
    public string Json { get; set; } = "";

    /// <summary>The row to insert. The tenant comes from the caller's scope, never from the bundle.</summary>
    public static ReplayBundleRow From(string tenantId, StoredReplayBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return new()
        {
            JobId = bundle.JobId,
            TenantId = tenantId,
            CreatedAt = UnixMs.From(bundle.CreatedAt),
            Json = bundle.Json,
        };
    }

    public StoredReplayBundle ToRecord() => new(TenantId, JobId, UnixMs.To(CreatedAt), Json);
}
