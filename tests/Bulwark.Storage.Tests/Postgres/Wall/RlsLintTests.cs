using Bulwark.Storage.Postgres;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-01/02/21, TEN-2: every table of the store has row-level security enabled AND forced, read
/// from pg_class (not from the C# list, which is compared to it), and the lint is shown able to
/// fail on a table a migration forgot.
/// </summary>
public sealed class RlsLintTests : WallTests
{
    [Fact] // RLS-01, RLS-02
    public async Task Every_table_in_the_schema_has_row_level_security_enabled_and_forced()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Empty(await WallCatalog.TablesWithoutForcedRlsAsync(superuser));
    }

    [Fact] // RLS-01: the C# list the docs and tests use is the catalog, no more and no less
    public async Task Schema_table_list_equals_the_tables_in_the_catalog()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Equal(
            PostgresSchema.Tables.Order(StringComparer.Ordinal),
            await WallCatalog.TablesAsync(superuser));
    }

    [Fact] // RLS-21: a tenant-bearing table anywhere in the database without the wall would be a bridge
    public async Task Every_table_carries_its_tenant_and_no_tenant_bearing_table_anywhere_lacks_forced_rls()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Empty(await WallCatalog.TablesWithoutTenantColumnAsync(superuser));
        Assert.Empty(await WallCatalog.TenantBearingTablesWithoutForcedRlsAsync(superuser));
    }

    [Fact] // RLS-06: every policy reads the tenant through NULLIF, and none applies to PUBLIC or a stranger
    public async Task Every_policy_reads_the_tenant_through_nullif_and_applies_only_to_the_store_roles()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Empty(await WallCatalog.PoliciesReadingTenantWithoutNullifAsync(superuser));
        Assert.Empty(await WallCatalog.PoliciesForOtherRolesAsync(superuser));
    }

    [Fact] // RLS-01/02/21: the lint is able to fail: a table a migration forgot is reported
    public async Task Lint_reports_a_table_created_without_row_level_security()
    {
        await using (var owner = await Wall.OpenOwnerAsync())
        {
            await WallSql.ExecuteAsync(owner,
                $"CREATE TABLE {WallSql.Table("forgotten")} (tenant_id text NOT NULL, secret text)");
            await WallSql.ExecuteAsync(owner,
                $"CREATE TABLE {WallSql.Table("half_done")} (tenant_id text NOT NULL); ALTER TABLE {WallSql.Table("half_done")} ENABLE ROW LEVEL SECURITY");
            await WallSql.ExecuteAsync(owner, "CREATE TABLE public.side_door (tenant_id text NOT NULL)");
            await WallSql.ExecuteAsync(owner,
                $"CREATE VIEW {WallSql.Table("owner_view")} AS SELECT id, tenant_id FROM {WallSql.Table("jobs")}");
        }

        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Equal(
            ["forgotten (not enabled) (not forced)", "half_done (not forced)"],
            await WallCatalog.TablesWithoutForcedRlsAsync(superuser));
        Assert.Equal(
            ["bulwark.forgotten", "bulwark.half_done", "bulwark.owner_view", "public.side_door"],
            await WallCatalog.TenantBearingTablesWithoutForcedRlsAsync(superuser));
        Assert.NotEqual(PostgresSchema.Tables.Order(StringComparer.Ordinal), await WallCatalog.TablesAsync(superuser));
    }

    [Fact] // RLS-06: the NULLIF lint is able to fail on the policy that reopens after an earlier SET LOCAL
    public async Task Lint_reports_a_policy_that_reads_the_tenant_without_nullif()
    {
        await using (var owner = await Wall.OpenOwnerAsync())
        {
            await WallSql.ExecuteAsync(owner,
                $"""
                CREATE POLICY careless ON {WallSql.Table("jobs")} TO {PostgresSchema.AppRole}
                    USING (tenant_id = current_setting('{PostgresSchema.TenantSetting}', true));
                CREATE POLICY everyone ON {WallSql.Table("jobs")} USING (false);
                """);
        }

        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Equal("jobs.careless", Assert.Single(await WallCatalog.PoliciesReadingTenantWithoutNullifAsync(superuser)).Split(':')[0]);
        Assert.Equal(["jobs.everyone to public"], await WallCatalog.PoliciesForOtherRolesAsync(superuser));
    }
}
