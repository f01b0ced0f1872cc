using Bulwark.Storage.Postgres;
using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-23 (in spirit): each probe is shown able to fail. The owner takes one piece of the wall
/// down on jobs (on this test's own database) and the probe that passes elsewhere now reports
/// B's rows to A, or A's rows to a connection that no longer carries a tenant.
/// </summary>
public sealed class PolicyMutationTests : WallTests
{
    [Fact] // RLS-23 → RLS-01/02/04
    public async Task Without_row_level_security_on_jobs_the_lint_and_the_tenant_probe_both_report_it()
    {
        await AsOwnerAsync($"ALTER TABLE {WallSql.Table("jobs")} NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY");

        await using var superuser = await Wall.OpenSuperuserAsync();
        Assert.Equal(["jobs (not enabled) (not forced)"], await WallCatalog.TablesWithoutForcedRlsAsync(superuser));
        Assert.Equal([new VisibleRows("jobs", B.Id, 1)], await ForbiddenToAAsync());
    }

    [Fact] // RLS-23 → RLS-04, RLS-09
    public async Task With_the_tenant_policy_on_jobs_replaced_by_an_open_one_the_read_and_insert_probes_report_it()
    {
        var policies = await AppPoliciesOnJobsAsync();
        Assert.NotEmpty(policies);
        await AsOwnerAsync(
            string.Concat(policies.Select(p => $"DROP POLICY {WallSql.Quote(p)} ON {WallSql.Table("jobs")};"))
            + $"CREATE POLICY wide_open ON {WallSql.Table("jobs")} TO {PostgresSchema.AppRole} USING (true) WITH CHECK (true)");

        Assert.Equal([new VisibleRows("jobs", B.Id, 1)], await ForbiddenToAAsync());
        // RLS-09's probe too: A's copy of its job, moved into B, now lands.
        await using var superuser = await Wall.OpenSuperuserAsync();
        var row = await RowCopy.ReadAsync(superuser, "jobs", A.Id);
        await using var app = await Wall.OpenAppAsync();
        var insert = await WriteAttempt.RunAsync(app, A.Id, c => RowCopy.InsertAsync(c, "jobs", row, new Dictionary<string, object?>
        {
            ["id"] = "job_planted",
            ["tenant_id"] = B.Id,
            ["idempotency_key"] = null,
            ["template_id"] = Tenants.GlobalTemplate.Id,
        }));
        Assert.Equal(1, insert.Rows);
    }

    [Fact] // RLS-23 → RLS-06: the policy of notes/postgres-rls.md T3, which opens once a SET LOCAL left '' behind
    public async Task With_a_policy_without_nullif_the_stale_context_probe_and_the_lint_report_it()
    {
        var policies = await AppPoliciesOnJobsAsync();
        await AsOwnerAsync(
            string.Concat(policies.Select(p => $"DROP POLICY {WallSql.Quote(p)} ON {WallSql.Table("jobs")};"))
            + $"""
              CREATE POLICY no_nullif ON {WallSql.Table("jobs")} TO {PostgresSchema.AppRole}
                  USING (coalesce(current_setting('{PostgresSchema.TenantSetting}', true), '') = ''
                         OR tenant_id = current_setting('{PostgresSchema.TenantSetting}', true))
              """);

        await using var app = await Wall.OpenAppAsync();
        await using (var first = await WallSql.BeginAsTenantAsync(app, A.Id))
        {
            await first.CommitAsync();
        }

        var stale = await TenantProbe.VisibleAsync(app, ["jobs"]);
        Assert.Equal(
            new[] { A.Id, B.Id }.Order(StringComparer.Ordinal).Select(tenant => new VisibleRows("jobs", tenant, 1)),
            TenantProbe.Forbidden(stale, tenantId: null));
        await using var superuser = await Wall.OpenSuperuserAsync();
        Assert.Equal("jobs.no_nullif", Assert.Single(await WallCatalog.PoliciesReadingTenantWithoutNullifAsync(superuser)).Split(':')[0]);
    }

    [Fact] // RLS-23 → RLS-16: the truncate probe is able to fail
    public async Task With_truncate_granted_the_app_login_empties_a_table_for_every_tenant()
    {
        await AsOwnerAsync($"GRANT TRUNCATE ON {WallSql.Table("job_variables")} TO {PostgresSchema.AppRole}");
        await using var app = await Wall.OpenAppAsync();

        var attempt = await WriteAttempt.RunAsync(app, A.Id, $"TRUNCATE {WallSql.Table("job_variables")}");

        Assert.Null(attempt.Refusal);
        await using var superuser = await Wall.OpenSuperuserAsync();
        Assert.Equal(0L, await WallSql.ScalarAsync<long>(superuser, $"SELECT count(*) FROM {WallSql.Table("job_variables")}"));
    }

    [Fact] // RLS-23 → RLS-15: foreign keys ignore row-level security, so without its trigger the template key is a bridge
    public async Task Without_the_template_trigger_a_job_of_A_can_use_Bs_template()
    {
        await AsOwnerAsync($"DROP TRIGGER jobs_template_visible ON {WallSql.Table("jobs")}");
        await using var app = await Wall.OpenAppAsync();

        var repoint = await WriteAttempt.RunAsync(app, A.Id,
            $"UPDATE {WallSql.Table("jobs")} SET template_id = @template WHERE id = @job", ("template", B.Template.Id), ("job", A.Job.Id));

        Assert.Equal(1, repoint.Rows);
    }

    private async Task<List<VisibleRows>> ForbiddenToAAsync()
    {
        await using var app = await Wall.OpenAppAsync();
        await using var transaction = await WallSql.BeginAsTenantAsync(app, A.Id);
        return TenantProbe.Forbidden(await TenantProbe.VisibleAsync(app, ["jobs"]), A.Id);
    }

    private async Task<List<string>> AppPoliciesOnJobsAsync()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        return await WallSql.ListAsync(superuser,
            "SELECT policyname::text FROM pg_policies WHERE schemaname = @schema AND tablename = 'jobs' AND @app::name = ANY (roles)",
            r => r.GetString(0), ("schema", PostgresSchema.SchemaName), ("app", PostgresSchema.AppRole));
    }

    private async Task AsOwnerAsync(string sql)
    {
        await using NpgsqlConnection owner = await Wall.OpenOwnerAsync();
        await WallSql.ExecuteAsync(owner, sql);
    }
}
