using Bulwark.Core.Manifests;

namespace Bulwark.Storage.Common.Rows;

/// <summary>An attempts row as selected with <see cref="Columns"/>, read as the <see cref="AttemptRecord"/> a manifest names.</summary>
public sealed class AttemptRow
{
    public const string Columns =
        "attempt AS Attempt, started_at AS StartedAt, finished_at AS FinishedAt, outcome AS Outcome, exit_code AS ExitCode";

    public long Attempt { get; set; }
    public long StartedAt { get; set; }
    public long? FinishedAt { get; set; }
    public string? Outcome { get; set; }
    public long? ExitCode { get; set; }

    public AttemptRecord ToRecord() =>
        new(checked((int)Attempt), UnixMs.To(StartedAt), UnixMs.To(FinishedAt), Outcome, ExitCode is { } x ? checked((int)x) : null);
}
