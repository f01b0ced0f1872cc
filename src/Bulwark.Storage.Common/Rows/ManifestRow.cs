using Bulwark.Core.Manifests;

namespace Bulwark.Storage.Common.Rows;

/// <summary>A manifests row as selected with <see cref="Columns"/>, and the parameters of its insert.</summary>
public sealed class ManifestRow
{
    /// <summary>The columns of the insert, in the order of its values.</summary>
    public const string InsertColumns = "job_id, tenant_id, attempt, created_at, manifest_json";

    public const string Columns =
        "tenant_id AS TenantId, job_id AS JobId, attempt AS Attempt, created_at AS CreatedAt, manifest_json AS Json";

    public string TenantId { get; set; } = "";
    public string JobId { get; set; } = "";
    public long Attempt { get; set; }
    public long CreatedAt { get; set; }
    public string Json { get; set; } = "";

    /// <summary>The row to insert. The tenant comes from the caller's scope, never from the manifest.</summary>
    public static ManifestRow From(string tenantId, StoredManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new()
        {
            JobId = manifest.JobId,
            TenantId = tenantId,
            Attempt = manifest.Attempt,
            CreatedAt = UnixMs.From(manifest.CreatedAt),
            Json = manifest.Json,
        };
    }

    public StoredManifest ToRecord() => new(TenantId, JobId, checked((int)Attempt), UnixMs.To(CreatedAt), Json);
}
