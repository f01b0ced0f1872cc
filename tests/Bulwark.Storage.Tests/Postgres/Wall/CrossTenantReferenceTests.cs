using Bulwark.Storage.Postgres;
using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-15: foreign keys are checked without row-level security (notes/postgres-rls.md T11), so a
/// plain key would let A attach rows to B's job, and learn from the answer that the job exists.
/// Keys between tenant tables therefore include tenant_id; the one that cannot (a job's template
/// may be global) is guarded by the jobs_template_visible trigger, which runs under the caller's
/// row-level security.
/// </summary>
public sealed class CrossTenantReferenceTests : WallTests
{
    /// <summary>Keys without tenant_id by design, each with what guards it instead.</summary>
    private static readonly string[] KeysWithoutTenant =
    [
        "jobs(template_id) -> templates(id)", // global templates have no tenant; jobs_template_visible guards it
    ];

    [Fact] // RLS-15
    public async Task Every_foreign_key_between_tenant_tables_includes_tenant_id_on_both_sides()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        var keys = await WallSql.ListAsync(superuser,
            """
            SELECT child.relname || '(' || (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                                            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
                || ') -> ' || parent.relname || '(' || (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                                            JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) || ')'
            FROM pg_constraint c
            JOIN pg_class child ON child.oid = c.conrelid
            JOIN pg_class parent ON parent.oid = c.confrelid
            JOIN pg_namespace n ON n.oid = child.relnamespace
            WHERE c.contype = 'f' AND n.nspname = @schema AND parent.relname <> 'tenants'
              AND NOT (EXISTS (SELECT FROM unnest(c.conkey) k(attnum) JOIN pg_attribute a
                               ON a.attrelid = c.conrelid AND a.attnum = k.attnum AND a.attname = 'tenant_id')
                   AND EXISTS (SELECT FROM unnest(c.confkey) k(attnum) JOIN pg_attribute a
                               ON a.attrelid = c.confrelid AND a.attnum = k.attnum AND a.attname = 'tenant_id'))
            ORDER BY 1
            """,
            r => r.GetString(0), ("schema", PostgresSchema.SchemaName));

        Assert.Equal(KeysWithoutTenant.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    [Theory] // RLS-15: written new, and re-pointed
    [InlineData("attempts")]
    [InlineData("job_logs")]
    [InlineData("job_variables")]
    public async Task Row_of_A_pointing_at_Bs_job_is_refused_and_nothing_is_written(string table)
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var before = await TableSnapshot.OfAsync(superuser, table);
        var row = await RowCopy.ReadAsync(superuser, table, A.Id);
        await using var app = await Wall.OpenAppAsync();

        var insert = await WriteAttempt.RunAsync(app, A.Id, c => RowCopy.InsertAsync(
            c, table, row, new Dictionary<string, object?> { ["job_id"] = B.Job.Id }));
        var repoint = await WriteAttempt.RunAsync(app, A.Id,
            $"UPDATE {WallSql.Table(table)} SET job_id = @job WHERE tenant_id = @a", ("job", B.Job.Id), ("a", A.Id));

        await AssertRefusedAsync(superuser, table, "INSERT", insert);
        await AssertRefusedAsync(superuser, table, "UPDATE", repoint);
        Assert.Equal(before, await TableSnapshot.OfAsync(superuser, table));
    }

    [Fact] // RLS-15: the one key without tenant_id, guarded by its trigger
    public async Task Job_of_A_using_Bs_template_is_refused_written_new_or_re_pointed()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var before = await TableSnapshot.OfAsync(superuser, "jobs");
        var row = await RowCopy.ReadAsync(superuser, "jobs", A.Id);
        await using var app = await Wall.OpenAppAsync();

        var insert = await WriteAttempt.RunAsync(app, A.Id, c => RowCopy.InsertAsync(c, "jobs", row, new Dictionary<string, object?>
        {
            ["id"] = "job_forged",
            ["idempotency_key"] = null,
            ["template_id"] = B.Template.Id,
        }));
        var repoint = await WriteAttempt.RunAsync(app, A.Id,
            $"UPDATE {WallSql.Table("jobs")} SET template_id = @template WHERE id = @job", ("template", B.Template.Id), ("job", A.Job.Id));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, insert.Refusal?.SqlState);
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, repoint.Refusal?.SqlState);
        Assert.Equal(before, await TableSnapshot.OfAsync(superuser, "jobs"));
    }

    // The key refuses it; where the application holds no such privilege at all, the privilege does.
    private static async Task AssertRefusedAsync(NpgsqlConnection superuser, string table, string privilege, WriteAttempt attempt)
    {
        var may = await WallSql.ScalarAsync<bool>(superuser, "SELECT has_table_privilege(@app, @table, @privilege)",
            ("app", PostgresTestDatabase.AppLogin), ("table", WallSql.Table(table)), ("privilege", privilege));
        if (may)
        {
            Assert.True(attempt.Refusal?.SqlState == PostgresErrorCodes.ForeignKeyViolation, $"{table} {privilege}: {attempt}");
        }
        else
        {
            Assert.True(attempt.RefusedByPrivilege, $"{table} {privilege}: {attempt}");
        }
    }
}
