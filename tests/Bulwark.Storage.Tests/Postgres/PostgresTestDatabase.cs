using Npgsql;

namespace Bulwark.Storage.Tests.Postgres;

/// <summary>
/// A brand-new database on the throwaway cluster ./test.sh starts (BULWARK_TEST_POSTGRES, the
/// cluster superuser's connection string), owned by a login that is NOT superuser, with a second
/// login for the application: the two roles an operator creates (README, "An existing PostgreSQL").
/// The superuser is used only here, to create and drop; the store never sees it.
/// Missing BULWARK_TEST_POSTGRES fails the test: PostgreSQL tests are never skipped silently.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    /// <summary>Owns the schema and runs migrations; may create roles (CREATEROLE), nothing more.</summary>
    public const string OwnerLogin = "bulwark_test_owner";

    /// <summary>What the server connects as: owns nothing, not superuser, no BYPASSRLS.</summary>
    public const string AppLogin = "bulwark_test_app";

    private static readonly SemaphoreSlim RolesOnce = new(1, 1);
    private static bool _rolesReady;

    private PostgresTestDatabase(string name) => Name = name;

    public string Name { get; }

    /// <summary>The cluster superuser on this database: for the tests' own inspection, never for the store.</summary>
    public string SuperuserConnectionString => On(Superuser, Name);

    public string OwnerConnectionString => As(OwnerLogin);

    public string AppConnectionString => As(AppLogin);

    private static string Superuser =>
        Environment.GetEnvironmentVariable("BULWARK_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "BULWARK_TEST_POSTGRES is not set: run the tests through ./test.sh, which starts a throwaway PostgreSQL and sets it.");

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        await EnsureRolesAsync();
        var database = new PostgresTestDatabase("bulwark_test_" + Guid.NewGuid().ToString("N"));
        await ExecuteAsync(Superuser, $"CREATE DATABASE {database.Name} OWNER {OwnerLogin}");
        return database;
    }

    /// <summary>A connection string for <paramref name="login"/> on this database (trust auth on loopback: no password).</summary>
    public string As(string login) =>
        new NpgsqlConnectionStringBuilder(On(Superuser, Name)) { Username = login }.ToString();

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(Superuser, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    /// <summary>Runs SQL as the cluster superuser on this database.</summary>
    public Task ExecuteAsSuperuserAsync(string sql) => ExecuteAsync(SuperuserConnectionString, sql);

    private static string On(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ToString();

    // Logins are cluster-wide, so they are made once per test process; a cluster reused by a
    // second run already has them.
    private static async Task EnsureRolesAsync()
    {
        await RolesOnce.WaitAsync();
        try
        {
            if (_rolesReady)
            {
                return;
            }

            try
            {
                await ExecuteAsync(Superuser,
                $"""
                DO $$
                BEGIN
                    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OwnerLogin}') THEN
                        CREATE ROLE {OwnerLogin} LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS;
                    END IF;
                    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{AppLogin}') THEN
                        CREATE ROLE {AppLogin} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
                    END IF;
                END
                $$;
                """);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject)
            {
                // Another test process created them at the same moment: they exist, which is all we need.
            }

            _rolesReady = true;
        }
        finally
        {
            RolesOnce.Release();
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
