namespace Bulwark.Core.Manifests;

/// <summary>
/// JOB-11: what one finished run was — which template version ran on which inputs, what it
/// produced, when and how it ended. Every hash is over what the store keeps (outputs after
/// redaction, SEC-4), so anyone can recompute it from what the API serves: log streams as their
/// UTF-8 bytes, JSON (inputs, result, definition) in <see cref="CanonicalJson"/> form.
/// </summary>
public sealed record RunManifest
{
    public required string JobId { get; init; }
    /// <summary>The tenant's id.</summary>
    public required string Tenant { get; init; }
    public required ManifestTemplate Template { get; init; }
    public required string InputsSha256 { get; init; }
    public required IReadOnlyList<ManifestOutput> Outputs { get; init; }
    /// <summary>The attempt that ended the job (1-based).</summary>
    public required int Attempt { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    public required long DurationMs { get; init; }
    public int? ExitCode { get; init; }
    /// <summary>The job's final state: succeeded, failed, dead or cancelled.</summary>
    public required string State { get; init; }
    public string? ErrorCode { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>The exact template version that ran; the hash is of its stored definition.</summary>
public sealed record ManifestTemplate(string Key, int Version, string DefinitionSha256);

/// <summary>One output of the run: a log stream (<c>stdout</c>, <c>stderr</c>, <c>runtime</c>) or the <c>result</c>.</summary>
public sealed record ManifestOutput(string Name, long Bytes, string Sha256);
