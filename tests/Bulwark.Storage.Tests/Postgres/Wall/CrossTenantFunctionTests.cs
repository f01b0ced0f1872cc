using Bulwark.Storage.Postgres;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-12/13, TEN-3: the only ways across the wall are the SECURITY DEFINER functions listed in
/// <see cref="PostgresSchema.CrossTenantFunctions"/>, each with its reason; each runs as the
/// system role (subject to forced row-level security, never bypassing it), with a fixed
/// search_path, callable by the application role alone. Views would run as their owner unless
/// security_invoker: there must be none that does.
/// </summary>
public sealed class CrossTenantFunctionTests : WallTests
{
    [Fact] // RLS-12, TEN-3: the catalog and the list agree, both ways
    public async Task Definer_functions_in_the_database_are_exactly_the_listed_cross_tenant_functions()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        var found = (await WallCatalog.DefinerFunctionsAsync(superuser)).Select(f => $"{f.Schema}.{f.Name}");

        Assert.Equal(
            PostgresSchema.CrossTenantFunctions.Select(f => $"{PostgresSchema.SchemaName}.{f.Name}").Order(StringComparer.Ordinal),
            found.Distinct().Order(StringComparer.Ordinal));
        Assert.All(PostgresSchema.CrossTenantFunctions, f => Assert.False(string.IsNullOrWhiteSpace(f.Why), f.Name));
    }

    [Fact] // RLS-12
    public async Task Every_definer_function_is_owned_by_the_system_role_which_does_not_bypass_row_level_security()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.All(await WallCatalog.DefinerFunctionsAsync(superuser), f => Assert.Equal(PostgresSchema.SystemRole, f.Owner));
        Assert.Equal((false, false), (await WallSql.ListAsync(superuser,
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = @system",
            r => (r.GetBoolean(0), r.GetBoolean(1)), ("system", PostgresSchema.SystemRole))).Single());
    }

    [Fact] // RLS-12: a caller's search_path must not choose the tables or operators a definer function uses
    public async Task Every_definer_function_fixes_its_search_path_with_pg_temp_last()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        // pg_temp not named is searched FIRST for tables: a caller's temp table "jobs" would then
        // stand in for the real one (PostgreSQL docs, "Writing SECURITY DEFINER Functions Safely").
        Assert.All(await WallCatalog.DefinerFunctionsAsync(superuser), f =>
        {
            Assert.True(f.SearchPath is not null, $"{f.Signature} runs with the caller's search_path");
            var path = f.SearchPath!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.True(path.Length > 0 && path[^1] == "pg_temp", $"{f.Signature}: search_path={f.SearchPath} does not end with pg_temp");
        });
    }

    [Fact] // RLS-12: PUBLIC (every login of the cluster) may not call them; only the application role may
    public async Task Every_definer_function_is_executable_by_the_app_role_alone()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.All(await WallCatalog.DefinerFunctionsAsync(superuser), f =>
            Assert.Equal(
                new[] { PostgresSchema.AppRole, f.Owner }.Distinct().Order(StringComparer.Ordinal),
                f.ExecuteGrantees.Order(StringComparer.Ordinal)));
    }

    [Fact] // RLS-13: zero views passes, but the check runs over the catalog
    public async Task Every_view_runs_with_the_callers_rights()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Empty(await WallCatalog.ViewsWithoutSecurityInvokerAsync(superuser));
    }

    [Fact] // RLS-13: the view check is able to fail
    public async Task View_check_reports_a_view_that_runs_as_its_owner()
    {
        await using (var owner = await Wall.OpenOwnerAsync())
        {
            await WallSql.ExecuteAsync(owner,
                $"""
                CREATE VIEW {WallSql.Table("all_jobs")} AS SELECT id, tenant_id FROM {WallSql.Table("jobs")};
                CREATE VIEW {WallSql.Table("own_jobs")} WITH (security_invoker = true) AS SELECT id, tenant_id FROM {WallSql.Table("jobs")};
                """);
        }

        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Equal(["bulwark.all_jobs"], await WallCatalog.ViewsWithoutSecurityInvokerAsync(superuser));
    }
}
