namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary><paramref name="Rows"/> rows of <paramref name="Table"/> carrying tenant <paramref name="Tenant"/> (null: no tenant).</summary>
public sealed record VisibleRows(string Table, string? Tenant, long Rows)
{
    public override string ToString() => $"{Table}: {Rows} row(s) of {Tenant ?? "no tenant"}";
}
