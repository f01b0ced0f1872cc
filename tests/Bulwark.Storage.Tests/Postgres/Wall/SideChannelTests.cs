using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-19/20: the ways around a SELECT's result set. Bulk COPY into a table bypasses WITH CHECK,
/// so PostgreSQL refuses it; an error message or a function's side effect could carry a row out,
/// but the policy's condition runs before any of the attacker's, so only own rows ever reach them.
/// </summary>
public sealed class SideChannelTests : WallTests
{
    [Fact] // RLS-19
    public async Task Copy_from_stdin_into_jobs_is_refused_and_writes_nothing()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var before = await TableSnapshot.OfAsync(superuser, "jobs");
        await using var app = await Wall.OpenAppAsync();
        await using var transaction = await WallSql.BeginAsTenantAsync(app, A.Id);

        var refusal = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var writer = await app.BeginTextImportAsync($"COPY {WallSql.Table("jobs")} FROM STDIN");
        });

        Assert.Contains("row-level security", refusal.MessageText, StringComparison.Ordinal);
        await transaction.RollbackAsync();
        Assert.Equal(before, await TableSnapshot.OfAsync(superuser, "jobs"));
    }

    [Fact] // RLS-19: COPY TO runs the policy like a SELECT
    public async Task Copy_to_stdout_of_jobs_exports_only_own_rows()
    {
        await using var app = await Wall.OpenAppAsync();
        await using var transaction = await WallSql.BeginAsTenantAsync(app, A.Id);

        string exported;
        using (var reader = await app.BeginTextExportAsync($"COPY {WallSql.Table("jobs")} TO STDOUT"))
        {
            exported = await reader.ReadToEndAsync();
        }

        Assert.Contains(A.Secret, exported, StringComparison.Ordinal);
        Assert.DoesNotContain(B.Secret, exported, StringComparison.Ordinal);
        Assert.DoesNotContain(B.Id, exported, StringComparison.Ordinal);
    }

    [Fact] // RLS-20: a cast error quotes the offending value; only an own row can be that value
    public async Task Cast_error_probe_quotes_only_own_tenant_data()
    {
        await using var app = await Wall.OpenAppAsync();
        await using var transaction = await WallSql.BeginAsTenantAsync(app, A.Id);

        var refusal = await WallSql.RefusalAsync(app,
            $"SELECT 1 FROM {WallSql.Table("jobs")} WHERE inputs_json::text::int = 1");

        Assert.NotNull(refusal);
        var text = $"{refusal.MessageText} {refusal.Detail} {refusal.Where}";
        Assert.Contains(A.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(B.Secret, text, StringComparison.Ordinal);
    }

    [Fact] // RLS-20: a leaky function in WHERE sees rows only after the policy filtered them
    public async Task Leaky_function_in_where_is_shown_only_own_tenant_rows()
    {
        await using var app = await Wall.OpenAppAsync();
        var notices = new List<string>();
        app.Notice += (_, e) => notices.Add(e.Notice.MessageText);
        // pg_temp is the one place a login with no CREATE anywhere can still put a function; its
        // tiny cost invites the planner to run it before the policy's condition if it dared.
        await WallSql.ExecuteAsync(app,
            """
            CREATE FUNCTION pg_temp.leak(value text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS
            $$ BEGIN RAISE NOTICE 'saw %', value; RETURN true; END $$
            """);
        await using var transaction = await WallSql.BeginAsTenantAsync(app, A.Id);

        var rows = await WallSql.ScalarAsync<long>(app,
            $"SELECT count(*) FROM {WallSql.Table("jobs")} WHERE pg_temp.leak(inputs_json::text)");

        Assert.Equal(1L, rows);
        Assert.Contains(notices, n => n.Contains(A.Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(notices, n => n.Contains(B.Secret, StringComparison.Ordinal));
    }
}
