using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Postgres.Rows;

internal sealed class LogRow
{
    public const string Columns = "attempt AS Attempt, stream AS Stream, text AS Text, at AS At";

    public int Attempt { get; set; }
    public string Stream { get; set; } = "";
    public string Text { get; set; } = "";
    public long At { get; set; }

    public JobLogEntry ToEntry() => new(Attempt, Stream, Text, UnixMs.To(At));
}
