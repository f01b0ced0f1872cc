namespace Bulwark.Storage.Postgres.Schema;

/// <summary>The schema as ordered steps; a released step is never edited, a change is a new step.</summary>
internal static class PostgresMigrations
{
    public static IReadOnlyList<PostgresMigration> All { get; } =
    [
        new(1, "tables", ""),
    ];
}
