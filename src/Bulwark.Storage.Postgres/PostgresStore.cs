using System.Collections.Concurrent;
using Bulwark.Core.Jobs;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Storage.Postgres.Connections;
using Bulwark.Storage.Postgres.Schema;
using Npgsql;

namespace Bulwark.Storage.Postgres;

/// <summary>
/// The multi-node store: one PostgreSQL database shared by every node, with row-level security as
/// the tenant wall underneath the code (TEN-2). It connects as an application login that owns
/// nothing; every tenant call is one transaction that first sets the tenant (transaction-local),
/// and the few cross-tenant paths are SECURITY DEFINER functions listed in
/// <see cref="PostgresSchema.CrossTenantFunctions"/>. Claims take a batch with
/// <c>FOR UPDATE SKIP LOCKED</c>; nodes wake each other with LISTEN/NOTIFY.
/// </summary>
public sealed partial class PostgresStore : IBulwarkStore, IWorkWakeups
{
    private const string SetTenantSql = "SELECT set_config('" + PostgresSchema.TenantSetting + "', @tenant, true)";

    // The lease names the tenant only when its whole fence matches (lease_tenant); otherwise the
    // setting is '' and every policy hides every row.
    private const string SetLeaseTenantSql =
        "SELECT set_config('" + PostgresSchema.TenantSetting + "', coalesce(lease_tenant(@job, @attempt, @token, @now), ''), true)";

    private readonly NpgsqlDataSource _data;
    private readonly string _listenConnectionString;
    private readonly string? _ownerConnectionString;
    private readonly string? _ownerLogin;

    // Stored template versions never change, so a parsed definition can be kept for the store's
    // life; claims then cost no JSON parsing.
    private readonly ConcurrentDictionary<string, JobTemplate> _templates = new(StringComparer.Ordinal);

    private readonly Core.Audit.AuditKey? _auditKey;

    private int _disposed;

    public PostgresStore(PostgresStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _auditKey = options.AuditKey;
        CheckFunctionTransitions();
        var app = new NpgsqlConnectionStringBuilder(PostgresConnectionStrings.ToNpgsql(options.ConnectionString))
        {
            // Every statement names its tables unqualified.
            SearchPath = PostgresSchema.SchemaName,
        };
        if (app.MaxAutoPrepare == 0)
        {
            // The queue's statements are few and constant: prepared once per connection, they skip
            // parsing and planning on every claim, heartbeat and completion.
            app.MaxAutoPrepare = 64;
        }

        // The tenant lives only in transaction-local settings (TEN-2), so a pooled connection has
        // nothing to reset between calls; the reset (RESET ALL, UNLISTEN *, …) measured as one extra
        // round trip per store call. StaleTenantContextTests prove the pool stays clean without it.
        app.NoResetOnClose = true;
        _data = NpgsqlDataSource.Create(app);
        var listen = new NpgsqlConnectionStringBuilder(app.ConnectionString) { Pooling = false };
        if (listen.KeepAlive == 0)
        {
            // An idle LISTEN connection that silently died (a firewall's idle timeout) is noticed
            // by the keepalive query failing, and then re-opened.
            listen.KeepAlive = 30;
        }

        _listenConnectionString = listen.ConnectionString;
        if (options.OwnerConnectionString is { Length: > 0 } owner)
        {
            _ownerConnectionString = PostgresConnectionStrings.ToNpgsql(owner);
            _ownerLogin = new NpgsqlConnectionStringBuilder(_ownerConnectionString).Username;
        }
    }

    /// <summary>
    /// With an owner connection string: checks the application login, migrates as the owner under
    /// an advisory lock and grants the application role. Always: checks the application login and
    /// the schema version (RLS-03, RLS-18); an unsafe or outdated setup is a <see cref="PostgresSetupException"/>.
    /// </summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_ownerConnectionString is { } owner)
        {
            // Checked before anything is written: a refused login leaves the database as it was.
            var login = await ApplicationLoginCheck.RunAsync(_data, _ownerLogin, requireCurrentSchema: false, ct);
            try
            {
                await PostgresMigrator.MigrateAsync(owner, login, ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw PostgresSetupErrors.OwnerLacksPrivilege(_ownerLogin ?? "(owner)", e.MessageText);
            }
        }

        await ApplicationLoginCheck.RunAsync(_data, _ownerLogin, requireCurrentSchema: true, ct);
    }

    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await _data.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return await command.ExecuteScalarAsync(ct) is 1;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await CloseListenersAsync();
            await _data.DisposeAsync();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction in which only <paramref name="tenantId"/>'s
    /// rows exist (null: none, for system audit events). All of it commits, or none of it does.
    /// </summary>
    private Task<T> InTenantAsync<T>(string? tenantId, Func<TenantTransaction, Task<T>> work, CancellationToken ct)
    {
        if (tenantId is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(tenantId);
        }

        return ScopedAsync(command => command.Bind("tenant", tenantId ?? ""), SetTenantSql, work, ct);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction under the tenant of the job the lease fences;
    /// throws <c>lease_lost</c> (nothing written) when the fence does not match (JOB-3). The work
    /// re-checks the fence under row-level security, locking the job row.
    /// </summary>
    private Task<T> UnderLeaseAsync<T>(Lease lease, long nowMs, Func<TenantTransaction, Task<T>> work, CancellationToken ct) =>
        ScopedAsync(
            command => BindFence(command, lease, nowMs),
            SetLeaseTenantSql,
            async scope => scope.TenantId.Length == 0 ? throw StoreErrors.LeaseLost(lease) : await work(scope),
            ct);

    // TEN-1, RLS-07: the ONE place the tenant is set. Transaction-local (set_config(…, true)) in an
    // explicit transaction, never a session SET, so a pooled connection carries nothing over.
    private async Task<T> ScopedAsync<T>(
        Action<NpgsqlCommand> bindTenant, string setTenantSql, Func<TenantTransaction, Task<T>> work, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        string tenant;
        await using (var set = new NpgsqlCommand(setTenantSql, connection, transaction))
        {
            bindTenant(set);
            tenant = (string)(await set.ExecuteScalarAsync(ct))!;
        }

        var result = await work(new TenantTransaction(connection, transaction, tenant));
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>A call of one cross-tenant function (or another single statement outside any tenant).</summary>
    private async Task<T> OutsideTenantsAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await using var connection = await _data.OpenConnectionAsync(ct);
        return await work(connection);
    }

    private static NpgsqlCommand BindFence(NpgsqlCommand command, Lease lease, long nowMs) =>
        command.Bind("job", lease.JobId).Bind("attempt", lease.Attempt).Bind("token", lease.Token).Bind("now", nowMs);

    private static NpgsqlBatchCommand BindFence(NpgsqlBatchCommand command, Lease lease, long nowMs) =>
        command.Bind("job", lease.JobId).Bind("attempt", lease.Attempt).Bind("token", lease.Token).Bind("now", nowMs);

    /// <summary>
    /// Runs <paramref name="work"/> under the lease's tenant once the fence is re-checked under that
    /// tenant and the job row locked until commit (a reaper or a second completion waits), handing
    /// it the job's cancel flag. Setting the tenant and checking the fence go in ONE round trip: the
    /// second statement of the batch already runs under the tenant the first one set. A stale lease
    /// → <c>lease_lost</c>, nothing written.
    /// </summary>
    private async Task<T> FencedAsync<T>(Lease lease, long nowMs, Func<TenantTransaction, bool, Task<T>> work, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        string tenant;
        bool? cancelRequested = null;
        await using (var start = new NpgsqlBatch(connection, transaction))
        {
            BindFence(start.Add(SetLeaseTenantSql), lease, nowMs);
            BindFence(start.Add(FenceSql), lease, nowMs);
            await using var reader = await start.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            tenant = reader.GetString(0);
            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                cancelRequested = reader.GetBoolean(0);
            }
        }

        if (tenant.Length == 0 || cancelRequested is not { } cancel)
        {
            throw StoreErrors.LeaseLost(lease);
        }

        var result = await work(new TenantTransaction(connection, transaction, tenant), cancel);
        await transaction.CommitAsync(ct);
        return result;
    }
}
