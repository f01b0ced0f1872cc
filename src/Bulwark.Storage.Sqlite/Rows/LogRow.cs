using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Sqlite.Rows;

internal sealed class LogRow
{
    public const string Columns = "attempt AS Attempt, stream AS Stream, text AS Text, at AS At";

    public long Attempt { get; set; }
    public string Stream { get; set; } = "";
    public string Text { get; set; } = "";
    public long At { get; set; }

    public JobLogEntry ToEntry() => new(checked((int)Attempt), Stream, Text, UnixMs.To(At));
}
