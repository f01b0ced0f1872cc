using Bulwark.Storage.Postgres;
using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-09/10/11, TEN-2: acting as A, the application login can neither write a row into B, move
/// a row of A into B, nor touch B's rows; every table is tried, and what PostgreSQL refused is
/// checked by the superuser to be unchanged.
/// </summary>
public sealed class CrossTenantWriteTests : WallTests
{
    [Fact] // RLS-09
    public async Task Inserting_a_row_of_the_other_tenant_is_refused_by_the_policy_in_every_table()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var tables = await WallCatalog.TablesAsync(superuser);
        var before = await TableSnapshot.OfAllAsync(superuser, tables);
        await using var app = await Wall.OpenAppAsync();

        var outcomes = new List<string>();
        foreach (var table in tables)
        {
            var row = await RowCopy.ReadAsync(superuser, table, A.Id);
            var changes = OtherwiseValid(table);
            changes[WallCatalog.TenantColumn(table)] = B.Id;
            var attempt = await WriteAttempt.RunAsync(app, A.Id, c => RowCopy.InsertAsync(c, table, row, changes));
            var expected = await MayAsync(superuser, table, "INSERT") ? attempt.RefusedByPolicy : attempt.RefusedByPrivilege;
            if (!expected)
            {
                outcomes.Add($"{table}: {attempt}");
            }
        }

        Assert.Empty(outcomes);
        Assert.Equal(before, await TableSnapshot.OfAllAsync(superuser, tables));
    }

    [Fact] // RLS-10
    public async Task Moving_an_own_row_to_the_other_tenant_is_refused_in_every_table()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var tables = await WallCatalog.TablesAsync(superuser);
        var before = await TableSnapshot.OfAllAsync(superuser, tables);
        await using var app = await Wall.OpenAppAsync();

        var outcomes = new List<string>();
        foreach (var table in tables)
        {
            var column = WallSql.Quote(WallCatalog.TenantColumn(table));
            var changes = OtherwiseValid(table).ToList();
            var alsoSet = string.Concat(changes.Select((c, i) => $", {WallSql.Quote(c.Key)} = @v{i}"));
            var attempt = await WriteAttempt.RunAsync(app, A.Id,
                $"UPDATE {WallSql.Table(table)} SET {column} = @b{alsoSet} WHERE {column} = @a",
                [("a", A.Id), ("b", B.Id), .. changes.Select((c, i) => ($"v{i}", c.Value))]);
            var expected = await MayUpdateTenantAsync(superuser, table) ? attempt.RefusedByPolicy : attempt.Refusal is not null;
            if (!expected)
            {
                outcomes.Add($"{table}: {attempt}");
            }
        }

        Assert.Empty(outcomes);
        Assert.Equal(before, await TableSnapshot.OfAllAsync(superuser, tables));
    }

    [Fact] // RLS-11: the other tenant's rows do not exist for an UPDATE or DELETE (0 rows, not an error)
    public async Task Updating_or_deleting_the_other_tenants_rows_affects_none_in_every_table()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var tables = await WallCatalog.TablesAsync(superuser);
        var before = await TableSnapshot.OfAllAsync(superuser, tables);
        await using var app = await Wall.OpenAppAsync();

        var outcomes = new List<string>();
        foreach (var table in tables)
        {
            var tenantColumn = WallSql.Quote(WallCatalog.TenantColumn(table));
            if (await UpdatableColumnAsync(superuser, table) is { } column)
            {
                var update = await WriteAttempt.RunAsync(app, A.Id,
                    $"UPDATE {WallSql.Table(table)} SET {WallSql.Quote(column)} = {WallSql.Quote(column)} WHERE {tenantColumn} = @b",
                    ("b", B.Id));
                if (update.Rows is not (0 or null))
                {
                    outcomes.Add($"{table} update: {update}");
                }
            }

            var delete = await WriteAttempt.RunAsync(app, A.Id,
                $"DELETE FROM {WallSql.Table(table)} WHERE {tenantColumn} = @b", ("b", B.Id));
            if (delete.Rows is not (0 or null))
            {
                outcomes.Add($"{table} delete: {delete}");
            }
        }

        Assert.Empty(outcomes);
        Assert.Equal(before, await TableSnapshot.OfAllAsync(superuser, tables));
    }

    [Fact] // RLS-11: by the job's id, as an API handler would address it
    public async Task Cancelling_or_deleting_the_other_tenants_job_by_id_affects_no_row()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var before = await TableSnapshot.OfAsync(superuser, "jobs");
        await using var app = await Wall.OpenAppAsync();

        var cancel = await WriteAttempt.RunAsync(app, A.Id,
            $"UPDATE {WallSql.Table("jobs")} SET cancel_requested = true WHERE id = @id", ("id", B.Job.Id));
        var delete = await WriteAttempt.RunAsync(app, A.Id,
            $"DELETE FROM {WallSql.Table("jobs")} WHERE id = @id", ("id", B.Job.Id));

        Assert.Equal(0, cancel.Rows);
        Assert.True(delete.Rows == 0 || delete.RefusedByPrivilege, delete.ToString());
        Assert.Equal(before, await TableSnapshot.OfAsync(superuser, "jobs"));
    }

    /// <summary>
    /// What else a row moved into B must change to be refused by the wall and not earlier by a
    /// check of its own: a job keeps A's template, which jobs_template_visible refuses for a job
    /// of B (RLS-15) before the policy is asked, so the probe moves it to the global template.
    /// </summary>
    private Dictionary<string, object?> OtherwiseValid(string table) =>
        table == "jobs"
            ? new() { ["template_id"] = Tenants.GlobalTemplate.Id }
            : new();

    private static Task<bool> MayAsync(NpgsqlConnection superuser, string table, string privilege) =>
        WallSql.ScalarAsync<bool>(superuser, "SELECT has_table_privilege(@app, @table, @privilege)",
            ("app", PostgresTestDatabase.AppLogin), ("table", WallSql.Table(table)), ("privilege", privilege));

    private static Task<bool> MayUpdateTenantAsync(NpgsqlConnection superuser, string table) =>
        WallSql.ScalarAsync<bool>(superuser, "SELECT has_column_privilege(@app, @table, @column, 'UPDATE')",
            ("app", PostgresTestDatabase.AppLogin), ("table", WallSql.Table(table)), ("column", WallCatalog.TenantColumn(table)));

    /// <summary>A column the application may update in <paramref name="table"/>, or null when it may update none.</summary>
    private static Task<string?> UpdatableColumnAsync(NpgsqlConnection superuser, string table) =>
        WallSql.ScalarAsync<string?>(superuser,
            """
            SELECT a.attname::text FROM pg_attribute a
            WHERE a.attrelid = @table::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
              AND has_column_privilege(@app, a.attrelid, a.attnum, 'UPDATE')
            ORDER BY a.attnum LIMIT 1
            """,
            ("app", PostgresTestDatabase.AppLogin), ("table", WallSql.Table(table)));
}
