namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-04, TEN-2: a session carrying tenant A that selects every table with no tenant filter gets
/// A's rows (and global templates), never B's, never the operator's.
/// </summary>
public sealed class OwnTenantReadTests : WallTests
{
    /// <summary>
    /// Tables the store's API cannot put a row of each tenant into. Empty: the probes below are
    /// not vacuous for any table, and a new table the seed does not reach fails the next test.
    /// </summary>
    private static readonly string[] TablesTheSeedCannotReach = [];

    [Fact] // RLS-04: the probe is only as good as its data
    public async Task Seed_puts_rows_of_both_tenants_in_every_table()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var tables = await WallCatalog.TablesAsync(superuser);
        var rows = await TenantProbe.VisibleAsync(superuser, tables);

        var missing = tables
            .Except(TablesTheSeedCannotReach)
            .SelectMany(t => new[] { A, B }
                .Where(tenant => !rows.Any(r => r.Table == t && r.Tenant == tenant.Id))
                .Select(tenant => $"{t}: no row of {tenant.Scope.TenantName}"))
            .ToList();

        Assert.Empty(missing);
    }

    [Theory] // RLS-04
    [InlineData("A")]
    [InlineData("B")]
    public async Task Tenant_sees_all_its_own_rows_and_nothing_else_in_every_table_without_a_filter(string which)
    {
        var me = which == "A" ? A : B;
        await using var superuser = await Wall.OpenSuperuserAsync();
        var tables = await WallCatalog.TablesAsync(superuser);
        var everything = await TenantProbe.VisibleAsync(superuser, tables);

        await using var app = await Wall.OpenAppAsync();
        await using var transaction = await WallSql.BeginAsTenantAsync(app, me.Id);
        var unreadable = new List<string>();
        var seen = await TenantProbe.VisibleAsync(app, tables, unreadable);

        Assert.Empty(TenantProbe.Forbidden(seen, me.Id));
        // Not an empty wall: every row of its own that exists is there (in the tables it may read at all).
        Assert.Equal(
            everything.Where(r => r.Tenant == me.Id && !unreadable.Contains(r.Table)),
            seen.Where(r => r.Tenant == me.Id));
        // Global templates, readable by every tenant, are among what it sees.
        Assert.Contains(seen, r => r.Table == "templates" && r.Tenant is null);
    }

    [Fact] // RLS-04: the other tenant's rows are absent even when asked for by id and by secret
    public async Task Tenant_asking_for_the_other_tenants_rows_by_id_and_content_gets_nothing()
    {
        await using var app = await Wall.OpenAppAsync();
        await using var transaction = await WallSql.BeginAsTenantAsync(app, A.Id);

        Assert.Equal(0L, await WallSql.ScalarAsync<long>(app,
            $"SELECT count(*) FROM {WallSql.Table("jobs")} WHERE id = @job", ("job", B.Job.Id)));
        Assert.Equal(0L, await WallSql.ScalarAsync<long>(app,
            $"SELECT count(*) FROM {WallSql.Table("tenants")} WHERE id = @tenant", ("tenant", B.Id)));
        Assert.Equal(0L, await WallSql.ScalarAsync<long>(app,
            $"SELECT count(*) FROM {WallSql.Table("jobs")} WHERE inputs_json::text LIKE '%' || @secret || '%'", ("secret", B.Secret)));
        Assert.Equal(1L, await WallSql.ScalarAsync<long>(app,
            $"SELECT count(*) FROM {WallSql.Table("jobs")} WHERE inputs_json::text LIKE '%' || @secret || '%'", ("secret", A.Secret)));
    }
}
