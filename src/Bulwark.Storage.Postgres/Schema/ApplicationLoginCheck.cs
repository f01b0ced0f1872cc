using Npgsql;

namespace Bulwark.Storage.Postgres.Schema;

/// <summary>
/// The setup lint of the tenant wall (RLS-03, RLS-18), run as the application login: it must not
/// be superuser nor have BYPASSRLS, must own nothing in the schema and must not be able to act as
/// its owner or as bulwark_system, because row-level security binds none of those. Then the schema
/// must be exactly the version this build needs. Any failure is a <see cref="PostgresSetupException"/>.
/// </summary>
internal static class ApplicationLoginCheck
{
    private const string FactsSql =
        $"""
        WITH me AS (
            SELECT oid, rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user
        ), owners AS (
            SELECT nspowner AS owner FROM pg_namespace WHERE nspname = '{PostgresSchema.SchemaName}'
            UNION SELECT c.relowner FROM pg_class c WHERE c.relnamespace = to_regnamespace('{PostgresSchema.SchemaName}')
            UNION SELECT p.proowner FROM pg_proc p
                  WHERE p.pronamespace = to_regnamespace('{PostgresSchema.SchemaName}') AND NOT p.prosecdef
            UNION SELECT r.oid FROM pg_roles r WHERE r.rolname = @owner
        )
        SELECT me.rolname, me.rolsuper, me.rolbypassrls,
            EXISTS (SELECT 1 FROM owners o WHERE o.owner = me.oid) AS owns,
            (SELECT min(r.rolname) FROM owners o JOIN pg_roles r ON r.oid = o.owner
             WHERE o.owner <> me.oid AND pg_has_role(me.oid, o.owner, 'MEMBER')) AS member_of_owner,
            EXISTS (SELECT 1 FROM pg_roles s WHERE s.rolname = '{PostgresSchema.SystemRole}'
                    AND pg_has_role(me.oid, s.oid, 'MEMBER')) AS system_member,
            (SELECT min(r.rolname) FROM pg_roles r
             WHERE r.rolname IN ('{PostgresSchema.AppRole}', '{PostgresSchema.SystemRole}')
               AND (r.rolcanlogin OR r.rolsuper OR r.rolbypassrls)) AS unsafe_role,
            to_regnamespace('{PostgresSchema.SchemaName}') IS NOT NULL AS has_schema,
            EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = '{PostgresSchema.AppRole}'
                    AND pg_has_role(me.oid, a.oid, 'USAGE')) AS app_usage,
            -- From the catalog, not to_regprocedure: that needs USAGE on the schema and raises
            -- "permission denied" while another process is between creating the schema and its grants.
            EXISTS (SELECT 1 FROM pg_proc v WHERE v.pronamespace = to_regnamespace('{PostgresSchema.SchemaName}')
                    AND v.proname = 'schema_version' AND v.pronargs = 0) AS has_version,
            to_regnamespace('{PostgresSchema.SchemaName}') IS NOT NULL
                AND has_schema_privilege(me.oid, '{PostgresSchema.SchemaName}', 'CREATE') AS may_create
        FROM me
        """;

    /// <summary>
    /// Checks the login; with <paramref name="requireCurrentSchema"/> also the schema. Returns the
    /// login's name. <paramref name="ownerLogin"/>, when known, counts as an owner even before the
    /// schema exists, so a refused setup writes nothing.
    /// </summary>
    public static async Task<string> RunAsync(
        NpgsqlDataSource app, string? ownerLogin, bool requireCurrentSchema, CancellationToken ct)
    {
        await using var connection = await app.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(FactsSql, connection);
        command.Parameters.AddWithValue("owner", (object?)ownerLogin ?? DBNull.Value);
        string login;
        bool hasSchema, appUsage, hasVersion;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            login = reader.GetString(0);
            if (reader.GetBoolean(1))
            {
                throw PostgresSetupErrors.Superuser(login);
            }

            if (reader.GetBoolean(2))
            {
                throw PostgresSetupErrors.BypassRls(login);
            }

            if (reader.GetBoolean(3))
            {
                throw PostgresSetupErrors.OwnsObjects(login);
            }

            if (reader.GetBoolean(5))
            {
                throw PostgresSetupErrors.MemberOfSystem(login);
            }

            if (!reader.IsDBNull(4))
            {
                throw PostgresSetupErrors.MemberOfOwner(login, reader.GetString(4));
            }

            if (!reader.IsDBNull(6))
            {
                throw PostgresSetupErrors.UnsafeRole(reader.GetString(6));
            }

            if (reader.GetBoolean(10))
            {
                // It could add functions and operators that the schema's own code would resolve to.
                throw PostgresSetupErrors.MayCreate(login);
            }

            (hasSchema, appUsage, hasVersion) = (reader.GetBoolean(7), reader.GetBoolean(8), reader.GetBoolean(9));
        }

        if (!requireCurrentSchema)
        {
            return login;
        }

        if (!hasSchema)
        {
            throw PostgresSetupErrors.NotMigrated();
        }

        if (!appUsage)
        {
            throw PostgresSetupErrors.NotGranted(login);
        }

        var version = 0;
        if (hasVersion)
        {
            await using var versionCommand = new NpgsqlCommand($"SELECT {PostgresSchema.SchemaName}.schema_version()", connection);
            version = (int)(await versionCommand.ExecuteScalarAsync(ct))!;
        }

        if (version < PostgresMigrator.Latest)
        {
            throw PostgresSetupErrors.SchemaBehind(version, PostgresMigrator.Latest);
        }

        if (version > PostgresMigrator.Latest)
        {
            throw PostgresSetupErrors.SchemaNewer(version, PostgresMigrator.Latest);
        }

        return login;
    }
}
