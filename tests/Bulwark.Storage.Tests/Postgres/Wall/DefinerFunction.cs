namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>A SECURITY DEFINER function as pg_proc describes it: who it runs as, its settings, who may call it.</summary>
public sealed record DefinerFunction(
    string Schema,
    string Name,
    string Signature,
    string Owner,
    IReadOnlyList<string> Settings,
    IReadOnlyList<string> ExecuteGrantees)
{
    /// <summary>The function's fixed search_path, or null when it runs with the caller's.</summary>
    public string? SearchPath =>
        Settings.FirstOrDefault(s => s.StartsWith("search_path=", StringComparison.Ordinal))?["search_path=".Length..];
}
