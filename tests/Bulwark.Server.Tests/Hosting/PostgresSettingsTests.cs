using System.Net;
using System.Net.Sockets;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;
using Bulwark.Server.Tests.Cli;
using Bulwark.Storage.Postgres;
using Bulwark.Storage.Sqlite;
using Bulwark.Storage.Tests.Postgres;
using Npgsql;

namespace Bulwark.Server.Tests.Hosting;

/// <summary>
/// OPS-1, OPS-3, AUTHZ-4: <c>BULWARK_DATABASE</c> naming PostgreSQL selects the multi-node store,
/// <c>BULWARK_DATABASE_OWNER</c> migrates it at start, and an unsafe or unreachable database stops
/// <c>bulwark serve</c> and the operator commands with one sentence, never repeating a connection
/// string (both carry passwords), and with nothing listening and nothing written.
/// </summary>
public sealed class PostgresSettingsTests : IDisposable
{
    private const string Password = "pw-that-must-never-be-printed";

    private readonly CliHarness _cli = new();

    // PostgreSQL nodes must share the audit chain's key (AUD-2); this class makes its own.
    private readonly string _auditKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public PostgresSettingsTests() => _cli.Environment["BULWARK_AUDIT_KEY"] = _auditKey;

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void The_owner_connection_string_binds_from_BULWARK_DATABASE_OWNER()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_DATABASE"] = "Host=db;Database=bulwark;Username=bulwark_app",
            ["BULWARK_DATABASE_OWNER"] = "postgres://bulwark_owner:secret@db/bulwark",
        });

        Assert.Equal("Host=db;Database=bulwark;Username=bulwark_app", options.Database);
        Assert.Equal("postgres://bulwark_owner:secret@db/bulwark", options.DatabaseOwner);
        Assert.Null(BulwarkConfiguration.Load(new Dictionary<string, string?>()).DatabaseOwner);
    }

    [Theory]
    [InlineData(null, "postgres://owner:" + Password + "@db/bulwark")] // SQLite: nobody to hand the owner login to
    [InlineData("Host=db;Database=bulwark", "/srv/owner-" + Password + ".db")] // the owner login is not PostgreSQL
    public void An_owner_login_without_a_PostgreSQL_database_is_refused_by_name(string? database, string owner)
    {
        var error = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_DATABASE"] = database,
            ["BULWARK_DATABASE_OWNER"] = owner,
        }));

        Assert.Contains("BULWARK_DATABASE_OWNER", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Fact] // OPS-1: no BULWARK_DATABASE is still the embedded SQLite file
    public async Task Without_BULWARK_DATABASE_the_store_is_the_embedded_SQLite_file()
    {
        await using var store = await StoreFactory.OpenAsync(new BulwarkOptions { DataDir = _cli.DataDir }, CancellationToken.None);

        Assert.IsType<SqliteStore>(store);
        Assert.True(File.Exists(Path.Combine(_cli.DataDir, "bulwark.db")));
    }

    [Theory] // OPS-1: both forms an operator copies select PostgreSQL, and the owner login migrates
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_PostgreSQL_connection_string_or_URL_opens_the_PostgreSQL_store_and_the_owner_migrates_it(bool asUrl)
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var app = asUrl ? Url(database.AppConnectionString) : database.AppConnectionString;

        await using (var store = await StoreFactory.OpenAsync(
            new BulwarkOptions { DataDir = _cli.DataDir, Database = app, DatabaseOwner = database.OwnerConnectionString, AuditKey = _auditKey }, CancellationToken.None))
        {
            Assert.IsType<PostgresStore>(store);
            Assert.True(await store.PingAsync(CancellationToken.None));
        }

        // Migrated: a node without the owner login now starts on it.
        await using var again = await StoreFactory.OpenAsync(new BulwarkOptions { DataDir = _cli.DataDir, Database = app, AuditKey = _auditKey }, CancellationToken.None);
        Assert.Empty(await again.ListTenantsAsync(CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(_cli.DataDir, "bulwark.db")));
    }

    [Fact] // AUTHZ-4, TEN-2, RLS-03: the application login owning the tables would step over every policy
    public async Task Serve_refuses_to_start_when_the_application_login_owns_the_schema_and_nothing_listens()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        _cli.Environment["BULWARK_DATABASE"] = database.OwnerConnectionString;
        _cli.Environment["BULWARK_DATABASE_OWNER"] = database.OwnerConnectionString;
        var port = FreePort();

        var run = await ServeAsync(port);

        Assert.Equal(1, run.ExitCode);
        var sentence = Assert.Single(run.StderrLines);
        Assert.DoesNotContain("Host=", sentence, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listening", run.Stdout, StringComparison.Ordinal);
        await AssertNothingListensAsync(port);
        // Refused before the first start's bootstrap: no tenant, no admin key was created.
        Assert.DoesNotMatch("bwk_", run.Stdout);
        Assert.Equal(0L, await TenantCountAsync(database));
    }

    [Fact] // AUTHZ-4, TEN-3: the operator commands refuse the same unsafe login
    public async Task Operator_commands_refuse_an_application_login_that_owns_the_schema()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        _cli.Environment["BULWARK_DATABASE"] = database.OwnerConnectionString;
        _cli.Environment["BULWARK_DATABASE_OWNER"] = database.OwnerConnectionString;

        var run = await _cli.OperatorAsync("tenants", "create", "acme");

        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.Equal(0L, await TenantCountAsync(database));
    }

    [Fact] // OPS-1: without the owner login a node never migrates; a schema behind this version is refused
    public async Task Serve_refuses_to_start_on_a_schema_that_is_behind_when_no_owner_login_is_given()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        _cli.Environment["BULWARK_DATABASE"] = database.AppConnectionString;
        var port = FreePort();

        var run = await ServeAsync(port);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("BULWARK_DATABASE_OWNER", Assert.Single(run.StderrLines), StringComparison.Ordinal);
        await AssertNothingListensAsync(port);
        Assert.True(await ScalarAsync<bool>(database, "SELECT to_regclass('bulwark.tenants') IS NULL"), "a node without the owner login created tables");
    }

    [Fact] // AUTHZ-4: an unreachable server is one sentence; the URL's password is not repeated
    public async Task An_unreachable_PostgreSQL_server_is_one_sentence_without_the_password()
    {
        _cli.Environment["BULWARK_DATABASE"] = $"postgres://bulwark_app:{Password}@127.0.0.1:{FreePort()}/bulwark";
        var port = FreePort();

        var run = await ServeAsync(port);

        Assert.Equal(1, run.ExitCode);
        var sentence = Assert.Single(run.StderrLines);
        Assert.Contains("PostgreSQL", sentence, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, run.Stdout + run.Stderr, StringComparison.Ordinal);
        await AssertNothingListensAsync(port);
    }

    [Theory] // OPS-3: a connection string that cannot be read is named, never echoed
    [InlineData("BULWARK_DATABASE", "postgres://bulwark_app:" + Password + "@127.0.0.1/bulwark/extra")]
    [InlineData("BULWARK_DATABASE", "Host=127.0.0.1;Password=" + Password + ";Flavour=strawberry")]
    [InlineData("BULWARK_DATABASE_OWNER", "postgres://owner:" + Password + "@127.0.0.1/bulwark?colour=blue")]
    public async Task An_unreadable_connection_string_is_named_and_not_echoed(string setting, string value)
    {
        _cli.Environment["BULWARK_DATABASE"] = "Host=127.0.0.1;Database=bulwark;Username=bulwark_app";
        _cli.Environment[setting] = value;

        var run = await ServeAsync(FreePort());

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith(setting, Assert.Single(run.StderrLines), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    private Task<CliRun> ServeAsync(int port) =>
        _cli.RunAsync("serve", "--urls", $"http://127.0.0.1:{port}", "--data", _cli.DataDir);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task AssertNothingListensAsync(int port)
    {
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
    }

    private static string Url(string keyValue)
    {
        var b = new NpgsqlConnectionStringBuilder(keyValue);
        return $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }

    /// <summary>Tenants in the database; none when the refusal came before the schema was even created.</summary>
    private static async Task<long> TenantCountAsync(PostgresTestDatabase database) =>
        await ScalarAsync<bool>(database, "SELECT to_regclass('bulwark.tenants') IS NULL")
            ? 0
            : await ScalarAsync<long>(database, "SELECT count(*) FROM bulwark.tenants");

    private static async Task<T> ScalarAsync<T>(PostgresTestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
