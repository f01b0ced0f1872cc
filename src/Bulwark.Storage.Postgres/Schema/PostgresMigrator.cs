using Npgsql;

namespace Bulwark.Storage.Postgres.Schema;

/// <summary>
/// Applies <see cref="PostgresMigrations"/> as the owner login, under an advisory lock so that
/// nodes starting together on one database apply each step exactly once, and grants the
/// application role to the application login. Roles are cluster-wide: several databases (and
/// so several migrators) may create them at the same moment, and each tolerates the other.
/// </summary>
internal static class PostgresMigrator
{
    // "Bulwark" + 1 in ASCII: one fixed key per database (advisory locks are per database).
    private const long LockKey = 0x42756C7761726B01;

    private const string App = PostgresSchema.AppRole;
    private const string SystemRole = PostgresSchema.SystemRole;

    // bulwark_system owns the SECURITY DEFINER functions, so the owner must be able to act as it
    // (PostgreSQL 15 lets a CREATEROLE login grant itself a non-superuser role).
    private const string EnsureRolesSql =
        $"""
        DO $roles$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{App}') THEN
                BEGIN
                    CREATE ROLE {App} NOLOGIN;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL; -- another database's migration created it just now
                END;
            END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{SystemRole}') THEN
                BEGIN
                    CREATE ROLE {SystemRole} NOLOGIN NOINHERIT;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;
                END;
            END IF;
            IF NOT pg_has_role(current_user, '{SystemRole}', 'MEMBER') THEN
                BEGIN
                    GRANT {SystemRole} TO CURRENT_USER;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;
                END;
            END IF;
        END
        $roles$;
        """;

    // Made once; at later starts this only looks (no catalog write on every start).
    private const string CreateHistorySql =
        $"""
        DO $history$
        BEGIN
            IF to_regnamespace('{PostgresSchema.MetaSchemaName}') IS NULL THEN
                CREATE SCHEMA {PostgresSchema.MetaSchemaName};
                REVOKE ALL ON SCHEMA {PostgresSchema.MetaSchemaName} FROM PUBLIC;
                CREATE TABLE {PostgresSchema.MetaSchemaName}.schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text    NOT NULL,
                    applied_at bigint  NOT NULL
                );
            END IF;
        END
        $history$;
        """;

    // Run after every step, in its transaction: whatever SECURITY DEFINER function a step made
    // ends up owned by bulwark_system (RLS-12), executable by the application role and by no one
    // else. Giving a function away needs CREATE on its schema for the new owner, taken back at once.
    private const string SealFunctionsSql =
        $"""
        DO $seal$
        DECLARE
            f regprocedure;
        BEGIN
            GRANT CREATE ON SCHEMA bulwark TO {SystemRole};
            FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
                     WHERE p.pronamespace = 'bulwark'::regnamespace AND p.prosecdef
                       AND p.proowner <> '{SystemRole}'::regrole
            LOOP
                EXECUTE format('ALTER FUNCTION %s OWNER TO {SystemRole}', f);
            END LOOP;
            REVOKE CREATE ON SCHEMA bulwark FROM {SystemRole};

            REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA bulwark FROM PUBLIC;
            FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
                     WHERE p.pronamespace = 'bulwark'::regnamespace AND p.prosecdef
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO {App}', f);
            END LOOP;
            GRANT EXECUTE ON FUNCTION bulwark.schema_version() TO {App};
        END
        $seal$;
        """;

    /// <summary>The newest version this build knows.</summary>
    public static int Latest => PostgresMigrations.All[^1].Version;

    public static async Task MigrateAsync(string ownerConnectionString, string appLogin, CancellationToken ct)
    {
        // Not pooled: closing the connection must end the session, and with it the advisory lock.
        var builder = new NpgsqlConnectionStringBuilder(ownerConnectionString) { Pooling = false, Enlist = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({LockKey})", ct);
        try
        {
            await ExecuteAsync(connection, null, EnsureRolesSql, ct);
            await ExecuteAsync(connection, null, CreateHistorySql, ct);

            await using var newestCommand = new NpgsqlCommand(
                $"SELECT coalesce(max(version), 0) FROM {PostgresSchema.MetaSchemaName}.schema_migrations", connection);
            var newest = (int)(await newestCommand.ExecuteScalarAsync(ct))!;
            if (newest > Latest)
            {
                throw PostgresSetupErrors.SchemaNewer(newest, Latest);
            }

            foreach (var migration in PostgresMigrations.All)
            {
                if (migration.Version <= newest)
                {
                    continue;
                }

                ct.ThrowIfCancellationRequested();
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await ExecuteAsync(connection, transaction, migration.Sql, ct);
                await ExecuteAsync(
                    connection,
                    transaction,
                    "CREATE OR REPLACE FUNCTION bulwark.schema_version() RETURNS integer LANGUAGE sql IMMUTABLE AS "
                    + $"'SELECT {migration.Version}'",
                    ct);
                await ExecuteAsync(connection, transaction, SealFunctionsSql, ct);
                await using (var record = new NpgsqlCommand(
                                 $"INSERT INTO {PostgresSchema.MetaSchemaName}.schema_migrations (version, name, applied_at) "
                                 + "VALUES (@version, @name, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
                                 connection,
                                 transaction))
                {
                    record.Parameters.AddWithValue("version", migration.Version);
                    record.Parameters.AddWithValue("name", migration.Name);
                    await record.ExecuteNonQueryAsync(ct);
                }

                await transaction.CommitAsync(ct);
            }

            await GrantAppRoleAsync(connection, appLogin, ct);
            await ConfineConnectAsync(connection, appLogin, ct);
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
            }
        }
    }

    private static async Task GrantAppRoleAsync(NpgsqlConnection connection, string appLogin, CancellationToken ct)
    {
        await using (var member = new NpgsqlCommand($"SELECT pg_has_role(@login, '{App}', 'MEMBER')", connection))
        {
            member.Parameters.AddWithValue("login", appLogin);
            if ((bool)(await member.ExecuteScalarAsync(ct))!)
            {
                return;
            }
        }

        try
        {
            await ExecuteAsync(connection, null, $"GRANT {App} TO {QuoteIdentifier(appLogin)}", ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject)
        {
            // Granted by a concurrent migration of another database: the membership is there.
        }
    }

    // bulwark_app is a cluster-wide role: without this, the application login of another Bulwark
    // database on the same cluster could connect here and act with bulwark_app's rights. When the
    // owner login owns the database (as the README sets it up), only this installation's
    // application login may connect; otherwise that is the database owner's job (docs/security.md).
    private static async Task ConfineConnectAsync(NpgsqlConnection connection, string appLogin, CancellationToken ct)
    {
        await using var owns = new NpgsqlCommand(
            "SELECT pg_has_role(current_user, d.datdba, 'USAGE') FROM pg_database d WHERE d.datname = current_database()",
            connection);
        if (await owns.ExecuteScalarAsync(ct) is not true)
        {
            return;
        }

        var database = QuoteIdentifier(connection.Database);
        await ExecuteAsync(connection, null, $"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC", ct);
        await ExecuteAsync(connection, null, $"GRANT CONNECT ON DATABASE {database} TO {QuoteIdentifier(appLogin)}", ct);
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }
}
