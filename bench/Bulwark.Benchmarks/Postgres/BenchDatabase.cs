using Npgsql;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>
/// The one database all three contenders share, owned by a login that is not superuser, with a
/// second login that owns nothing: the two roles an operator creates for Bulwark (README, "An
/// existing PostgreSQL"). The superuser is used here only, to create and drop.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    /// <summary>Owns the database: Bulwark migrates as it; the raw loop and Hangfire run as it (their own schemas).</summary>
    public const string OwnerLogin = "bulwark_bench_owner";

    /// <summary>What Bulwark's store connects as: no ownership, no superuser, no BYPASSRLS.</summary>
    public const string AppLogin = "bulwark_bench_app";

    private readonly string _superuser;

    private BenchDatabase(string superuser, string name)
    {
        _superuser = superuser;
        Name = name;
    }

    public string Name { get; }

    public string SuperuserConnectionString => As(null, "bench-superuser");

    public static async Task<BenchDatabase> CreateAsync(string superuserConnectionString)
    {
        var database = new BenchDatabase(superuserConnectionString, "bulwark_bench_" + Guid.NewGuid().ToString("N")[..12]);
        await ExecuteAsync(superuserConnectionString,
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
        await ExecuteAsync(superuserConnectionString, $"CREATE DATABASE {database.Name} OWNER {OwnerLogin}");
        return database;
    }

    /// <summary>
    /// <paramref name="login"/> (null: the superuser) on this database, in a pool of its own: the
    /// application name keeps each contender's connections apart from the others'.
    /// </summary>
    public string As(string? login, string applicationName)
    {
        var builder = new NpgsqlConnectionStringBuilder(_superuser) { Database = Name, ApplicationName = applicationName };
        if (login is not null)
        {
            builder.Username = login;
            builder.Password = null;
        }

        return builder.ToString();
    }

    /// <summary>The settings that decide what a commit costs, as the server reports them.</summary>
    public async Task<IReadOnlyList<(string Name, string Value)>> SettingsAsync()
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString);
        await connection.OpenAsync();
        var settings = new List<(string, string)>();
        foreach (var name in new[] { "server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers" })
        {
            await using var show = new NpgsqlCommand($"SHOW {name}", connection);
            settings.Add((name, (string)(await show.ExecuteScalarAsync())!));
        }

        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_superuser, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
