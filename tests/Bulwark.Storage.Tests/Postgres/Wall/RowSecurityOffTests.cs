using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-17: <c>row_security = off</c> does not switch the wall off for a role bound by it; the query
/// fails instead of quietly returning every tenant's rows (which is what it does for a role that
/// bypasses the wall, so the error proves the policies are in force).
/// </summary>
public sealed class RowSecurityOffTests : WallTests
{
    [Theory] // RLS-17
    [InlineData("A")]
    [InlineData("none")]
    public async Task Select_with_row_security_off_fails_on_every_table(string tenant)
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var tables = await WallCatalog.TablesAsync(superuser);
        await using var app = await Wall.OpenAppAsync();

        var outcomes = new List<string>();
        foreach (var table in tables)
        {
            await using var transaction = await WallSql.BeginAsTenantAsync(app, tenant == "A" ? A.Id : null);
            await WallSql.ExecuteAsync(app, "SET LOCAL row_security = off");
            var refusal = await WallSql.RefusalAsync(app,
                $"SELECT {WallSql.Quote(WallCatalog.TenantColumn(table))} FROM {WallSql.Table(table)}");
            if (refusal is not { SqlState: PostgresErrorCodes.InsufficientPrivilege }
                || !refusal.MessageText.Contains("row-level security", StringComparison.Ordinal))
            {
                outcomes.Add($"{table}: {refusal?.MessageText ?? "rows returned"}");
            }
        }

        Assert.Empty(outcomes);
    }
}
