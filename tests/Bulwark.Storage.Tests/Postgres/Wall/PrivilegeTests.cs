using Bulwark.Storage.Postgres;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-16, TEN-2: the privileges that act beside row-level security rather than through it.
/// TRUNCATE empties a table for every tenant without a policy being asked; REFERENCES lets a
/// foreign key probe rows it cannot see; TRIGGER runs code as the table's writer.
/// </summary>
public sealed class PrivilegeTests : WallTests
{
    private static readonly string[] PrivilegesBesideTheWall = ["TRUNCATE", "REFERENCES", "TRIGGER"];

    [Fact] // RLS-16
    public async Task App_login_has_no_truncate_references_or_trigger_on_any_table()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Empty(await WallSql.ListAsync(superuser,
            """
            SELECT c.relname || ' ' || p.privilege
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN unnest(@privileges) AS p(privilege)
            WHERE n.nspname = @schema AND c.relkind IN ('r', 'p')
              AND has_table_privilege(@app, c.oid, p.privilege)
            ORDER BY 1
            """,
            r => r.GetString(0),
            ("privileges", PrivilegesBesideTheWall), ("schema", PostgresSchema.SchemaName), ("app", PostgresTestDatabase.AppLogin)));
    }

    [Fact] // RLS-16: nothing is granted to PUBLIC, so no other login of the cluster reaches a table
    public async Task No_table_grants_anything_to_public()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Empty(await WallSql.ListAsync(superuser,
            """
            SELECT c.relname || ' ' || a.privilege_type
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
            WHERE n.nspname IN (@schema, @meta) AND a.grantee = 0
            ORDER BY 1
            """,
            r => r.GetString(0), ("schema", PostgresSchema.SchemaName), ("meta", PostgresSchema.MetaSchemaName)));
    }

    [Fact] // RLS-16
    public async Task Truncate_as_the_app_login_is_denied_on_every_table_and_every_row_stays()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var tables = await WallCatalog.TablesAsync(superuser);
        var before = await TableSnapshot.OfAllAsync(superuser, tables);
        await using var app = await Wall.OpenAppAsync();

        var outcomes = new List<string>();
        foreach (var table in tables)
        {
            var attempt = await WriteAttempt.RunAsync(app, A.Id, $"TRUNCATE {WallSql.Table(table)}");
            if (!attempt.RefusedByPrivilege)
            {
                outcomes.Add($"{table}: {attempt}");
            }
        }

        Assert.Empty(outcomes);
        Assert.Equal(before, await TableSnapshot.OfAllAsync(superuser, tables));
    }
}
