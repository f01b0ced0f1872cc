using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Postgres;
using Npgsql;

namespace Bulwark.Storage.Tests.Postgres;

/// <summary>
/// What only the PostgreSQL store has: its setup lint (RLS-03, RLS-18), its migrations under an
/// advisory lock, its LISTEN/NOTIFY wake-ups, and its reading of connection strings. Each database
/// test makes a fresh database of its own.
/// </summary>
public sealed class PostgresStoreTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    // ---- setup lint (RLS-03, RLS-18) --------------------------------------------------------

    [Fact] // RLS-03: a superuser bypasses every policy
    public async Task Migrate_refuses_a_superuser_application_login_and_writes_nothing()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var store = new PostgresStore(new(database.SuperuserConnectionString, database.OwnerConnectionString));

        var error = await Assert.ThrowsAsync<PostgresSetupException>(() => store.MigrateAsync(Ct));

        Assert.Contains("superuser", error.Message, StringComparison.Ordinal);
        Assert.False(await SchemaExistsAsync(database));
    }

    [Fact] // RLS-03, RLS-02: row-level security does not bind the owner of the tables
    public async Task Migrate_refuses_the_owner_login_as_application_login_and_writes_nothing()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var store = new PostgresStore(new(database.OwnerConnectionString, database.OwnerConnectionString));

        var error = await Assert.ThrowsAsync<PostgresSetupException>(() => store.MigrateAsync(Ct));

        Assert.Contains($"'{PostgresTestDatabase.OwnerLogin}' owns", error.Message, StringComparison.Ordinal);
        Assert.False(await SchemaExistsAsync(database));
    }

    [Fact] // RLS-03, RLS-12: bulwark_system is the one role with cross-tenant policies
    public async Task Migrate_refuses_an_application_login_that_is_a_member_of_bulwark_system_and_writes_nothing()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var login = await ThrowawayLogin.CreateAsync(database, $"GRANT {PostgresSchema.SystemRole} TO {{0}}");
        await using var store = new PostgresStore(new(database.As(login.Name), database.OwnerConnectionString));

        var error = await Assert.ThrowsAsync<PostgresSetupException>(() => store.MigrateAsync(Ct));

        Assert.Contains(PostgresSchema.SystemRole, error.Message, StringComparison.Ordinal);
        Assert.False(await SchemaExistsAsync(database));
    }

    [Fact] // RLS-03: BYPASSRLS turns the wall off
    public async Task Migrate_refuses_an_application_login_with_bypassrls_and_writes_nothing()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var login = await ThrowawayLogin.CreateAsync(database, "ALTER ROLE {0} BYPASSRLS");
        await using var store = new PostgresStore(new(database.As(login.Name), database.OwnerConnectionString));

        var error = await Assert.ThrowsAsync<PostgresSetupException>(() => store.MigrateAsync(Ct));

        Assert.Contains("BYPASSRLS", error.Message, StringComparison.Ordinal);
        Assert.False(await SchemaExistsAsync(database));
    }

    [Fact] // RLS-12: a login that may create in the schema could plant what the definer functions resolve to
    public async Task Migrate_refuses_an_application_login_that_may_create_in_the_schema()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var login = await ThrowawayLogin.CreateAsync(database, "SELECT 1");
        await using (var store = new PostgresStore(new(database.As(login.Name), database.OwnerConnectionString)))
        {
            await store.MigrateAsync(Ct);
        }

        await database.ExecuteAsSuperuserAsync($"GRANT CREATE ON SCHEMA {PostgresSchema.SchemaName} TO {login.Name}");
        await using var refused = new PostgresStore(new(database.As(login.Name)));

        var error = await Assert.ThrowsAsync<PostgresSetupException>(() => refused.MigrateAsync(Ct));

        Assert.Contains($"REVOKE CREATE ON SCHEMA {PostgresSchema.SchemaName} FROM {login.Name}", error.Message, StringComparison.Ordinal);
    }

    [Fact] // RLS-18: without the owner there is no migration, and a node refuses an empty database
    public async Task Migrate_without_owner_refuses_an_unmigrated_database_and_creates_nothing()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var store = new PostgresStore(new(database.AppConnectionString));

        var error = await Assert.ThrowsAsync<PostgresSetupException>(() => store.MigrateAsync(Ct));

        Assert.Contains("BULWARK_DATABASE_OWNER", error.Message, StringComparison.Ordinal);
        Assert.False(await SchemaExistsAsync(database));
        Assert.Equal(0L, await ScalarAsync<long>(database, "SELECT count(*) FROM pg_namespace WHERE nspname = 'bulwark_meta'"));
    }

    [Fact] // RLS-18: a node without the owner's credentials starts on a current schema
    public async Task Migrate_without_owner_accepts_a_database_migrated_to_the_current_version()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using (var migrating = new PostgresStore(new(database.AppConnectionString, database.OwnerConnectionString)))
        {
            await migrating.MigrateAsync(Ct);
        }

        await using var store = new PostgresStore(new(database.AppConnectionString));

        await store.MigrateAsync(Ct);

        Assert.True(await store.PingAsync(Ct));
        Assert.Empty(await store.ListTenantsAsync(Ct));
    }

    [Fact] // TEN-2: bulwark_app is cluster-wide; another installation's application login must not get in
    public async Task Migrate_lets_only_this_installations_application_login_connect()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var elsewhere = await ThrowawayLogin.CreateAsync(
            database,
            $"DO $$ BEGIN CREATE ROLE {PostgresSchema.AppRole} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$; "
            + $"GRANT {PostgresSchema.AppRole} TO {{0}}");
        await using (var store = new PostgresStore(new(database.AppConnectionString, database.OwnerConnectionString)))
        {
            await store.MigrateAsync(Ct);
        }

        await using var store2 = new PostgresStore(new(database.AppConnectionString));
        await store2.MigrateAsync(Ct);
        Assert.True(await store2.PingAsync(Ct));

        await using var intruder = new NpgsqlConnection(database.As(elsewhere.Name));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => intruder.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task Migrate_from_two_stores_at_once_applies_each_step_once()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var first = new PostgresStore(new(database.AppConnectionString, database.OwnerConnectionString));
        await using var second = new PostgresStore(new(database.AppConnectionString, database.OwnerConnectionString));

        // Two nodes starting together on an empty database: the advisory lock lets one migrate,
        // and the other finds every step applied.
        await Task.WhenAll(
            Task.Run(() => first.MigrateAsync(Ct)),
            Task.Run(() => second.MigrateAsync(Ct)));

        Assert.Equal(
            (long)PostgresSchema.LatestVersion,
            await ScalarAsync<long>(database, "SELECT count(*) FROM bulwark_meta.schema_migrations"));
        Assert.Equal(
            PostgresSchema.LatestVersion,
            await ScalarAsync<int>(database, "SELECT max(version) FROM bulwark_meta.schema_migrations"));
        Assert.True(await first.PingAsync(Ct));
        Assert.True(await second.PingAsync(Ct));
    }

    [Fact] // The race behind a flaky start: a node checks its login while another is between creating the schema and granting it
    public async Task Migrate_waits_for_a_migration_in_progress_when_the_schema_exists_but_is_not_yet_granted()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        // Another node's migration, paused just after step 1: the schema exists, closed to PUBLIC,
        // not yet granted to the application role; that node holds the migration lock.
        await using var other = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(database.OwnerConnectionString) { Pooling = false }.ConnectionString);
        await other.OpenAsync();
        await using (var pause = new NpgsqlCommand(
                         $"SELECT pg_advisory_lock({MigrationLockKey}); CREATE SCHEMA {PostgresSchema.SchemaName}; "
                         + $"REVOKE ALL ON SCHEMA {PostgresSchema.SchemaName} FROM PUBLIC;",
                         other))
        {
            await pause.ExecuteNonQueryAsync();
        }

        await using var store = new PostgresStore(new(database.AppConnectionString, database.OwnerConnectionString));
        var migrating = Task.Run(() => store.MigrateAsync(Ct));
        // The login check must not fail on the ungranted schema; the store then waits for the lock.
        await WaitUntilWaitingForTheLockAsync(database, migrating);

        // The other node "fails" and its half-made schema is rolled back by hand; the lock goes with it.
        await using (var undo = new NpgsqlCommand(
                         $"DROP SCHEMA {PostgresSchema.SchemaName}; SELECT pg_advisory_unlock({MigrationLockKey});", other))
        {
            await undo.ExecuteNonQueryAsync();
        }

        await migrating.WaitAsync(WaitLimit);
        Assert.True(await store.PingAsync(Ct));
        Assert.Equal(
            PostgresSchema.LatestVersion,
            await ScalarAsync<int>(database, "SELECT max(version) FROM bulwark_meta.schema_migrations"));
    }

    // "Bulwark" + 1 in ASCII: the migrator's advisory lock (PostgresMigrator.LockKey).
    private const long MigrationLockKey = 0x42756C7761726B01;

    private static async Task WaitUntilWaitingForTheLockAsync(PostgresTestDatabase database, Task migrating)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (await ScalarAsync<long>(
                   database,
                   "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                   + $"WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = '{database.Name}'") == 0)
        {
            Assert.False(migrating.IsCompleted, $"The migration ended before it waited for the lock: {migrating.Exception}");
            Assert.True(DateTime.UtcNow < deadline, "The second migration never waited for the lock.");
            await Task.Delay(50);
        }
    }

    // ---- LISTEN/NOTIFY wake-ups -------------------------------------------------------------

    [Fact]
    public async Task Subscribe_is_woken_by_a_job_enqueued_through_another_store_and_stops_when_disposed()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var listening = new PostgresStore(new(database.AppConnectionString, database.OwnerConnectionString));
        await listening.MigrateAsync(Ct);
        await using var submitting = new PostgresStore(new(database.AppConnectionString) { AuditKey = AuditKey.Generate() });
        await submitting.MigrateAsync(Ct);
        var (scope, template) = await TenantWithTemplateAsync(submitting);
        var woken = 0;
        var firstWake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var subscription = listening.Subscribe(() =>
        {
            Interlocked.Increment(ref woken);
            firstWake.TrySetResult();
        });
        await WaitUntilAsync(database, listening: true);
        await EnqueueDueNowAsync(submitting, scope, template);

        await firstWake.Task.WaitAsync(WaitLimit);

        await subscription.DisposeAsync();
        await WaitUntilAsync(database, listening: false);
        var before = Volatile.Read(ref woken);
        await EnqueueDueNowAsync(submitting, scope, template);
        // Nobody listens any more, so nothing can deliver a wake-up to the disposed subscription.
        Assert.Equal(0L, await ListenersAsync(database));
        Assert.Equal(before, Volatile.Read(ref woken));
    }

    [Fact] // IWorkWakeups: a lost connection is re-established, and a disposed store stops listening
    public async Task Subscribe_listens_again_after_its_connection_is_killed_and_stops_with_the_store()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var listening = new PostgresStore(new(database.AppConnectionString, database.OwnerConnectionString));
        await listening.MigrateAsync(Ct);
        await using var submitting = new PostgresStore(new(database.AppConnectionString) { AuditKey = AuditKey.Generate() });
        await submitting.MigrateAsync(Ct);
        var (scope, template) = await TenantWithTemplateAsync(submitting);
        using var wakes = new SemaphoreSlim(0);
        _ = listening.Subscribe(() => wakes.Release());
        await WaitUntilAsync(database, listening: true);

        await database.ExecuteAsSuperuserAsync(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN bulwark_work'");

        // The reconnect itself wakes once (a notification may have been missed), and only after
        // LISTEN is in force again, so the next enqueue is heard.
        Assert.True(await wakes.WaitAsync(WaitLimit));
        await EnqueueDueNowAsync(submitting, scope, template);
        Assert.True(await wakes.WaitAsync(WaitLimit));

        await listening.DisposeAsync();
        await WaitUntilAsync(database, listening: false);
        Assert.Equal(0L, await ListenersAsync(database));
    }

    // ---- connection strings -----------------------------------------------------------------

    [Theory]
    [InlineData("Host=db.internal;Database=bulwark;Username=bulwark_api", true)]
    [InlineData("host = db.internal; database = bulwark", true)]
    [InlineData("postgres://bulwark_api:secret@db.internal/bulwark", true)]
    [InlineData("POSTGRESQL://db.internal/bulwark", true)]
    [InlineData("/srv/bulwark/bulwark.db", false)]
    [InlineData("data/bulwark.db", false)]
    [InlineData("Data Source=bulwark.db", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsPostgres_recognises_key_value_strings_with_a_host_and_postgres_urls(string? value, bool expected)
    {
        Assert.Equal(expected, PostgresConnectionStrings.IsPostgres(value));
    }

    [Fact]
    public void ToNpgsql_converts_a_url_with_percent_encoded_credentials_port_and_sslmode()
    {
        var converted = new NpgsqlConnectionStringBuilder(PostgresConnectionStrings.ToNpgsql(
            "postgres://bulwark%20api:p%40ss%3Aw%2Ford@db.example.test:6543/bul%20wark?sslmode=verify-full&application_name=node1"));

        Assert.Equal("db.example.test", converted.Host);
        Assert.Equal(6543, converted.Port);
        Assert.Equal("bulwark api", converted.Username);
        Assert.Equal("p@ss:w/ord", converted.Password);
        Assert.Equal("bul wark", converted.Database);
        Assert.Equal(SslMode.VerifyFull, converted.SslMode);
        Assert.Equal("node1", converted.ApplicationName);
    }

    [Fact]
    public void ToNpgsql_converts_a_url_without_password_or_port_and_keeps_a_key_value_string_as_it_is()
    {
        var converted = new NpgsqlConnectionStringBuilder(PostgresConnectionStrings.ToNpgsql("postgresql://bulwark_api@[::1]/bulwark"));
        const string keyValue = "Host=db.internal;Database=bulwark;Username=bulwark_api;Password=x";

        Assert.Equal("::1", converted.Host);
        Assert.Equal(5432, converted.Port);
        Assert.Equal("bulwark_api", converted.Username);
        Assert.Null(converted.Password);
        Assert.Equal(keyValue, PostgresConnectionStrings.ToNpgsql(keyValue));
    }

    [Theory]
    [InlineData("postgres://alice:hunter2@/bulwark")]
    [InlineData("postgres://alice:hunter2@db.internal:port/bulwark")]
    [InlineData("postgres://alice:hunter2@db.internal/bulwark/extra")]
    [InlineData("postgres://alice:hunter2@db.internal/bulwark?sslmode=sometimes")]
    [InlineData("postgres://alice:hunter2@db.internal/bulwark?password=hunter2")]
    [InlineData("postgres://alice:hunter2@db.internal/bulwark#hunter2")]
    [InlineData("/srv/hunter2/bulwark.db")]
    public void ToNpgsql_refuses_a_bad_value_in_one_sentence_that_does_not_repeat_the_password(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => PostgresConnectionStrings.ToNpgsql(value));

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", error.Message, StringComparison.Ordinal);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static async Task<(TenantScope Scope, JobTemplate Template)> TenantWithTemplateAsync(PostgresStore store)
    {
        var tenant = new Tenant("ten_" + Guid.NewGuid().ToString("N"), "acme", Now);
        await store.CreateTenantAsync(tenant, Ct);
        var template = await store.PutTemplateAsync(
            tenant.Id, new TemplateDefinition { Key = "ops.scan", Kind = TemplateKind.Script, Command = ["/bin/true"] }, Now, Ct);
        return (TenantScope.Of(tenant), template);
    }

    private static async Task EnqueueDueNowAsync(PostgresStore store, TenantScope scope, JobTemplate template)
    {
        var job = new NewJob
        {
            Id = "job_" + Guid.CreateVersion7().ToString("N"),
            Template = template,
            InputsJson = "{}",
            MaxAttempts = 1,
            RunAt = Now,
            CreatedAt = Now,
        };
        var audit = new AuditEntry { At = Now, TenantId = scope.TenantId, Actor = "test", Action = "job.submit", Outcome = "success" };
        Assert.True((await store.EnqueueAsync(scope, job, audit, Ct)).Created);
    }

    /// <summary>Waits (at most <see cref="WaitLimit"/>) until the store's LISTEN session exists, or is gone.</summary>
    private static async Task WaitUntilAsync(PostgresTestDatabase database, bool listening)
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        while (await ListenersAsync(database) > 0 != listening)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), limit.Token);
        }
    }

    private static Task<long> ListenersAsync(PostgresTestDatabase database) =>
        ScalarAsync<long>(
            database,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle' "
            + "AND query = 'LISTEN bulwark_work'");

    private static async Task<bool> SchemaExistsAsync(PostgresTestDatabase database) =>
        await ScalarAsync<long>(
            database, $"SELECT count(*) FROM pg_namespace WHERE nspname IN ('{PostgresSchema.SchemaName}', '{PostgresSchema.MetaSchemaName}')") > 0;

    private static async Task<T> ScalarAsync<T>(PostgresTestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(database.SuperuserConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// A login of this test alone (the shared application login must stay clean for tests running
    /// alongside), altered by <c>setup</c> ("{0}" is its name) and dropped afterwards.
    /// </summary>
    private sealed class ThrowawayLogin : IAsyncDisposable
    {
        private readonly PostgresTestDatabase _database;

        private ThrowawayLogin(PostgresTestDatabase database, string name) => (_database, Name) = (database, name);

        public string Name { get; }

        public static async Task<ThrowawayLogin> CreateAsync(PostgresTestDatabase database, string setup)
        {
            var login = new ThrowawayLogin(database, "bulwark_test_lint_" + Guid.NewGuid().ToString("N"));
            await database.ExecuteAsSuperuserAsync(
                $"""
                DO $$
                BEGIN
                    CREATE ROLE {PostgresSchema.SystemRole} NOLOGIN NOINHERIT;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL; -- made by a migration of another test's database
                END
                $$;
                CREATE ROLE {login.Name} LOGIN NOSUPERUSER;
                """);
            await database.ExecuteAsSuperuserAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, setup, login.Name));
            return login;
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            // DROP OWNED takes back what was granted to it in this database, so the role can go.
            await _database.ExecuteAsSuperuserAsync($"DROP OWNED BY {Name}; DROP ROLE {Name}");
        }
    }
}
