using Bulwark.Storage.Postgres;
using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// What PostgreSQL's own catalog says about the wall. The catalog, not <see cref="PostgresSchema"/>,
/// is the source of truth: a table a later migration adds is found here whether or not anyone
/// remembered to list it. Each finder returns what violates its rule, so an empty list is a pass
/// and a test can show the finder is able to report something (the lint can fail).
/// </summary>
public static class WallCatalog
{
    // Schemas PostgreSQL owns; everything else in the database is ours or the operator's.
    private const string UserSchemas =
        "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

    /// <summary>The tenants table is keyed by its own id; every other table carries tenant_id.</summary>
    public static string TenantColumn(string table) => table == "tenants" ? "id" : "tenant_id";

    /// <summary>Every table (plain or partitioned) in the store's schema.</summary>
    public static Task<List<string>> TablesAsync(NpgsqlConnection connection) =>
        OrdinalAsync(connection,
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @schema AND c.relkind IN ('r', 'p')
            """,
            r => r.GetString(0), ("schema", PostgresSchema.SchemaName));

    /// <summary>RLS-01/02: tables of the store's schema without row-level security enabled AND forced.</summary>
    public static Task<List<string>> TablesWithoutForcedRlsAsync(NpgsqlConnection connection) =>
        OrdinalAsync(connection,
            """
            SELECT c.relname
                || CASE WHEN c.relrowsecurity THEN '' ELSE ' (not enabled)' END
                || CASE WHEN c.relforcerowsecurity THEN '' ELSE ' (not forced)' END
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @schema AND c.relkind IN ('r', 'p')
              AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
            """,
            r => r.GetString(0), ("schema", PostgresSchema.SchemaName));

    /// <summary>
    /// RLS-21: a table anywhere in the database with a tenant_id column but without forced
    /// row-level security, so a JOIN through it would reach across the wall.
    /// </summary>
    public static Task<List<string>> TenantBearingTablesWithoutForcedRlsAsync(NpgsqlConnection connection) =>
        OrdinalAsync(connection,
            $"""
            SELECT n.nspname || '.' || c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {UserSchemas} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND EXISTS (SELECT FROM pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND a.attnum > 0 AND NOT a.attisdropped)
              AND NOT (c.relkind IN ('r', 'p') AND c.relrowsecurity AND c.relforcerowsecurity)
              AND NOT (c.relkind = 'v' AND coalesce(c.reloptions, ARRAY[]::text[]) @> ARRAY['security_invoker=true'])
            """,
            r => r.GetString(0));

    /// <summary>RLS-21: tables of the store's schema with no tenant column for a policy to test.</summary>
    public static Task<List<string>> TablesWithoutTenantColumnAsync(NpgsqlConnection connection) =>
        OrdinalAsync(connection,
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @schema AND c.relkind IN ('r', 'p')
              AND NOT EXISTS (SELECT FROM pg_attribute a
                              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                AND a.attname = CASE WHEN c.relname = 'tenants' THEN 'id' ELSE 'tenant_id' END)
            """,
            r => r.GetString(0), ("schema", PostgresSchema.SchemaName));

    /// <summary>
    /// Policies that apply to anyone but the two roles of the store (PUBLIC included): a policy
    /// for another role is a door the wall's tests do not watch.
    /// </summary>
    public static Task<List<string>> PoliciesForOtherRolesAsync(NpgsqlConnection connection) =>
        OrdinalAsync(connection,
            """
            SELECT tablename || '.' || policyname || ' to ' || array_to_string(roles, ',')
            FROM pg_policies
            WHERE schemaname = @schema AND NOT roles <@ ARRAY[@app, @system]::name[]
            """,
            r => r.GetString(0),
            ("schema", PostgresSchema.SchemaName), ("app", PostgresSchema.AppRole), ("system", PostgresSchema.SystemRole));

    /// <summary>
    /// RLS-06: policies that read the tenant setting without NULLIF(…, ''). After an earlier
    /// transaction-local set_config the setting reads '' (not NULL) for the rest of the session,
    /// so only NULLIF keeps "no tenant" failing closed.
    /// </summary>
    public static async Task<List<string>> PoliciesReadingTenantWithoutNullifAsync(NpgsqlConnection connection)
    {
        var policies = await WallSql.ListAsync(connection,
            """
            SELECT tablename || '.' || policyname, coalesce(qual, '') || ' ' || coalesce(with_check, '')
            FROM pg_policies WHERE schemaname = @schema ORDER BY 1
            """,
            r => (Name: r.GetString(0), Expressions: r.GetString(1)), ("schema", PostgresSchema.SchemaName));
        return policies
            .Where(p => Count(p.Expressions, "current_setting(") != Count(p.Expressions, "NULLIF(current_setting("))
            .Select(p => p.Name + ": " + p.Expressions)
            .ToList();
    }

    /// <summary>RLS-13: views (and materialized views, which cannot have policies) that run as their owner.</summary>
    public static Task<List<string>> ViewsWithoutSecurityInvokerAsync(NpgsqlConnection connection) =>
        OrdinalAsync(connection,
            $"""
            SELECT n.nspname || '.' || c.relname || CASE c.relkind WHEN 'm' THEN ' (materialized)' ELSE '' END
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN (@schema, @meta) AND c.relkind IN ('v', 'm')
              AND NOT (c.relkind = 'v' AND coalesce(c.reloptions, ARRAY[]::text[]) @> ARRAY['security_invoker=true'])
            """,
            r => r.GetString(0), ("schema", PostgresSchema.SchemaName), ("meta", PostgresSchema.MetaSchemaName));

    /// <summary>Every SECURITY DEFINER function in the database outside PostgreSQL's own schemas.</summary>
    public static Task<List<DefinerFunction>> DefinerFunctionsAsync(NpgsqlConnection connection) =>
        WallSql.ListAsync(connection,
            $"""
            SELECT n.nspname, p.proname, p.oid::regprocedure::text, pg_get_userbyid(p.proowner),
                   coalesce(p.proconfig, ARRAY[]::text[]),
                   ARRAY(SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END
                         FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                         WHERE a.privilege_type = 'EXECUTE' ORDER BY 1)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE {UserSchemas} AND p.prosecdef
            ORDER BY 1, 2, 3
            """,
            r => new DefinerFunction(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                r.GetFieldValue<string[]>(4), r.GetFieldValue<string[]>(5)));

    // Sorted here, not by ORDER BY: the database's collation must not decide what a list equals.
    private static async Task<List<string>> OrdinalAsync(
        NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, string> read, params (string Name, object? Value)[] parameters) =>
        (await WallSql.ListAsync(connection, sql, read, parameters)).Order(StringComparer.Ordinal).ToList();

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.OrdinalIgnoreCase); at >= 0;
             at = text.IndexOf(part, at + part.Length, StringComparison.OrdinalIgnoreCase))
        {
            count++;
        }

        return count;
    }
}
