using Bulwark.Storage.Postgres;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-03/18, TEN-2: row-level security binds only a role that is not superuser, has no BYPASSRLS
/// and owns nothing; the application login (the one every node, worker loop and operator command
/// connects as) must be such a role and must not be able to become one.
/// </summary>
public sealed class AppLoginTests : WallTests
{
    private static string App => PostgresTestDatabase.AppLogin;

    [Fact] // RLS-03
    public async Task App_login_is_neither_superuser_nor_bypassrls_and_cannot_become_one()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Equal((false, false), (await WallSql.ListAsync(superuser,
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = @app",
            r => (r.GetBoolean(0), r.GetBoolean(1)), ("app", App))).Single());
        // SET ROLE to any role it is a member of would carry that role's attributes.
        Assert.Empty(await WallSql.ListAsync(superuser,
            "SELECT rolname FROM pg_roles WHERE (rolsuper OR rolbypassrls) AND pg_has_role(@app, oid, 'MEMBER')",
            r => r.GetString(0), ("app", App)));
    }

    [Fact] // RLS-03: an owner is exempt from its table's policies unless FORCE, and may drop them
    public async Task App_login_owns_nothing_in_the_store_schemas_directly_or_through_a_role()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        (string, object?)[] args = [("app", App), ("schema", PostgresSchema.SchemaName), ("meta", PostgresSchema.MetaSchemaName)];

        Assert.Empty(await WallSql.ListAsync(superuser,
            """
            SELECT n.nspname FROM pg_namespace n
            WHERE n.nspname IN (@schema, @meta) AND pg_has_role(@app, n.nspowner, 'MEMBER')
            UNION ALL
            SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN (@schema, @meta) AND pg_has_role(@app, c.relowner, 'MEMBER')
            UNION ALL
            SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN (@schema, @meta) AND pg_has_role(@app, p.proowner, 'MEMBER')
            UNION ALL
            SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname IN (@schema, @meta) AND pg_has_role(@app, t.typowner, 'MEMBER')
            """,
            r => r.GetString(0), args));
    }

    [Fact] // RLS-03, TEN-3: the cross-tenant role is reached only through its listed functions
    public async Task App_login_is_a_member_of_the_app_role_and_not_of_the_system_role_nor_the_table_owner()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.True(await WallSql.ScalarAsync<bool>(superuser,
            "SELECT pg_has_role(@app, @role, 'MEMBER')", ("app", App), ("role", PostgresSchema.AppRole)));
        Assert.False(await WallSql.ScalarAsync<bool>(superuser,
            "SELECT pg_has_role(@app, @role, 'MEMBER')", ("app", App), ("role", PostgresSchema.SystemRole)));
        Assert.False(await WallSql.ScalarAsync<bool>(superuser,
            "SELECT pg_has_role(@app, @role, 'MEMBER')", ("app", App), ("role", PostgresTestDatabase.OwnerLogin)));
    }

    [Fact] // RLS-03, RLS-21: no place to build a table, view or function of its own beside the wall
    public async Task App_login_cannot_create_in_the_store_schemas_or_the_database()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        (string, object?)[] args = [("app", App), ("schema", PostgresSchema.SchemaName), ("meta", PostgresSchema.MetaSchemaName)];

        Assert.False(await WallSql.ScalarAsync<bool>(superuser, "SELECT has_schema_privilege(@app, @schema, 'CREATE')", args));
        Assert.False(await WallSql.ScalarAsync<bool>(superuser, "SELECT has_schema_privilege(@app, @meta, 'CREATE')", args));
        Assert.False(await WallSql.ScalarAsync<bool>(superuser, "SELECT has_schema_privilege(@app, 'public', 'CREATE')", args));
        Assert.False(await WallSql.ScalarAsync<bool>(superuser, "SELECT has_database_privilege(@app, current_database(), 'CREATE')", args));
    }

    [Fact] // RLS-18: the two store roles cannot log in, and neither bypasses the wall
    public async Task Store_roles_cannot_log_in_and_are_subject_to_row_level_security()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        var roles = await WallSql.ListAsync(superuser,
            "SELECT rolname, rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname IN (@app, @system) ORDER BY 1",
            r => (r.GetString(0), r.GetBoolean(1), r.GetBoolean(2), r.GetBoolean(3)),
            ("app", PostgresSchema.AppRole), ("system", PostgresSchema.SystemRole));

        Assert.Equal(
            [(PostgresSchema.AppRole, false, false, false), (PostgresSchema.SystemRole, false, false, false)],
            roles);
    }

    [Fact] // RLS-18: after migrating and serving the seed (API calls, a worker's claim, runtime calls) the store holds only app-login connections
    public async Task Every_connection_the_store_keeps_is_the_app_login()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        var logins = await WallSql.ListAsync(superuser,
            """
            SELECT DISTINCT usename::text FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
            """,
            r => r.GetString(0));

        Assert.Equal([App], logins);
    }

    [Fact] // the migration history is the owner's: the application reads nothing of it
    public async Task App_login_has_no_privilege_on_the_meta_schema_tables()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        Assert.Empty(await WallSql.ListAsync(superuser,
            """
            SELECT c.oid::regclass::text || ' ' || p.privilege
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(privilege)
            WHERE n.nspname = @meta AND c.relkind IN ('r', 'p', 'v', 'm')
              AND has_table_privilege(@app, c.oid, p.privilege)
            """,
            r => r.GetString(0), ("app", App), ("meta", PostgresSchema.MetaSchemaName)));
    }
}
