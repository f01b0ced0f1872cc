namespace Bulwark.Storage.Postgres.Schema;

/// <summary>One schema step. Applied once, in version order, in its own transaction, as the owner.</summary>
internal sealed record PostgresMigration(int Version, string Name, string Sql);
