namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-05, TEN-2: a session that never said which tenant it acts for sees no tenant's rows, and
/// no operator rows: only global templates. The wall fails closed.
/// </summary>
public sealed class NoTenantReadTests : WallTests
{
    [Fact] // RLS-05
    public async Task Fresh_connection_with_nothing_set_sees_only_global_templates()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var tables = await WallCatalog.TablesAsync(superuser);
        await using var app = await Wall.OpenAppAsync();

        var seen = await TenantProbe.VisibleAsync(app, tables);

        Assert.Empty(TenantProbe.Forbidden(seen, tenantId: null));
        Assert.Equal([new VisibleRows("templates", null, 1)], seen);
    }

    [Theory] // RLS-05/06: an empty tenant, or one that does not exist, is no tenant at all
    [InlineData("")]
    [InlineData("ten_does_not_exist")]
    [InlineData("' OR true --")]
    public async Task Transaction_with_an_empty_or_unknown_tenant_sees_only_global_templates(string tenant)
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var tables = await WallCatalog.TablesAsync(superuser);
        await using var app = await Wall.OpenAppAsync();
        await using var transaction = await WallSql.BeginAsTenantAsync(app, tenant);

        var seen = await TenantProbe.VisibleAsync(app, tables);

        Assert.Equal([new VisibleRows("templates", null, 1)], seen);
    }
}
