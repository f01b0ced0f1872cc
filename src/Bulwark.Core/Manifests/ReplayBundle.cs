using System.Text.Json;
using Bulwark.Core.Templates;

namespace Bulwark.Core.Manifests;

/// <summary>
/// JOB-11: everything needed to run a finished job again exactly — the stored definition of the
/// version that ran, the inputs, the run settings, and the NAMES of the secrets the template
/// declares. Never a secret value (SEC-1): secrets are resolved afresh when the replay runs (SEC-3).
/// </summary>
public sealed record ReplayBundle
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    /// <summary>The job this bundle replays.</summary>
    public required string JobId { get; init; }
    public required string TenantId { get; init; }
    public required BundleTemplate Template { get; init; }
    public required JsonElement Inputs { get; init; }
    public required string InputsSha256 { get; init; }
    public required int Priority { get; init; }
    public required int MaxAttempts { get; init; }
    public required ResourceLimits Limits { get; init; }
    public required IReadOnlyList<string> SecretNames { get; init; }
    /// <summary>SHA-256 of the original run's manifest JSON as stored.</summary>
    public required string ManifestSha256 { get; init; }
    /// <summary>The original run's output hashes, to compare a replay's with.</summary>
    public required IReadOnlyList<ManifestOutput> Outputs { get; init; }
}

/// <summary>The template version of the original run: its id in the store, and its definition as stored then.</summary>
public sealed record BundleTemplate(string Id, string Key, int Version, string? OwnerTenantId, string DefinitionSha256, JsonElement Definition);
