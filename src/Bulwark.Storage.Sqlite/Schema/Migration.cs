namespace Bulwark.Storage.Sqlite.Schema;

/// <summary>One schema step. Applied once, in version order, in its own transaction.</summary>
internal sealed record Migration(int Version, string Name, string Sql);
