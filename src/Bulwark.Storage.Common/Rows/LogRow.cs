using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Common.Rows;

/// <summary>A job_logs row as selected with <see cref="Columns"/>.</summary>
public sealed class LogRow
{
    public const string Columns = "attempt AS Attempt, stream AS Stream, text AS Text, at AS At";

    public int Attempt { get; set; }
    public string Stream { get; set; } = "";
    public string Text { get; set; } = "";
    public long At { get; set; }

    public JobLogEntry ToEntry() => new(Attempt, Stream, Text, UnixMs.To(At));
}
