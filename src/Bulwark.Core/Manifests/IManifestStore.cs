using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Manifests;

/// <summary>
/// Run manifests and replay bundles (JOB-11), kept beside the jobs they describe. Rows carry their
/// tenant (TEN-1) and are reached through a <see cref="TenantScope"/>, except the operator's
/// lookup of a bundle by job id and the retention sweep, which cross tenants by design.
/// </summary>
public interface IManifestStore
{
    /// <summary>
    /// Stores the manifest of a finished job and, when given, its replay bundle, in one transaction.
    /// A job has one manifest: a second save for the same job changes nothing and returns false.
    /// </summary>
    Task<bool> SaveManifestAsync(TenantScope scope, StoredManifest manifest, StoredReplayBundle? bundle, CancellationToken ct);

    /// <summary>Null when the job has no manifest in this tenant.</summary>
    Task<StoredManifest?> FindManifestAsync(TenantScope scope, string jobId, CancellationToken ct);

    /// <summary>One attempt of the job as recorded at claim and completion; null when there is none in this tenant.</summary>
    Task<AttemptRecord?> FindAttemptAsync(TenantScope scope, string jobId, int attempt, CancellationToken ct);

    /// <summary>One stored template version by its id, as visible to the tenant (its own or global); null when absent.</summary>
    Task<JobTemplate?> FindTemplateVersionAsync(TenantScope scope, string templateId, CancellationToken ct);

    /// <summary>Operator (replay): the bundle of <paramref name="jobId"/> whatever its tenant; null when none is kept.</summary>
    Task<StoredReplayBundle?> FindReplayBundleAsync(string jobId, CancellationToken ct);

    /// <summary>AUD-3: removes every tenant's manifests and bundles created before its cutoff of each in <paramref name="cutoffs"/>.</summary>
    Task<ManifestSweep> RemoveExpiredManifestsAsync(ManifestCutoffs cutoffs, CancellationToken ct);
}

/// <summary>A manifest as stored: its JSON text is exactly what <c>GET /v1/jobs/{id}/manifest</c> serves.</summary>
public sealed record StoredManifest(string TenantId, string JobId, int Attempt, DateTimeOffset CreatedAt, string Json);

/// <summary>A replay bundle as stored (<see cref="ReplayBundle"/> is its content). Holds secret names, never values (SEC-1).</summary>
public sealed record StoredReplayBundle(string TenantId, string JobId, DateTimeOffset CreatedAt, string Json);

/// <summary>An attempt row: when it ran and how it ended.</summary>
public sealed record AttemptRecord(int Attempt, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Outcome, int? ExitCode);

/// <summary>AUD-3: what a sweep removes.</summary>
public sealed record ManifestCutoffs(Retention.TenantCutoffs ManifestsBefore, Retention.TenantCutoffs BundlesBefore);

/// <summary>What a sweep removed.</summary>
public sealed record ManifestSweep(long ManifestsRemoved, long BundlesRemoved);
