namespace Bulwark.Storage.Sqlite.Rows;

/// <summary>What the reaper's UPDATE … RETURNING reports per reclaimed job, to close its attempt row.</summary>
internal sealed class ReapedRow
{
    public string Id { get; set; } = "";
    public long Attempt { get; set; }
    public string State { get; set; } = "";
}
