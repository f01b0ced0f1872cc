using Bulwark.Core.Fences;
using Bulwark.Core.Jobs;
using Bulwark.Core.Runtime;
using Bulwark.Storage.Sqlite.Connections;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite;

// Named locks and write fences (AUTHZ-6, seed 003). Every statement runs after the lease fence of
// JOB-3 matched in the same write transaction, and reaches locks only of the fenced job's own
// tenant (TEN-1): the tenant comes from the job row, never from the caller. The job is the owner.
public sealed partial class SqliteStore
{
    private const string FindLockSql =
        "SELECT owner, fence, expires_at FROM locks WHERE tenant_id = @TenantId AND name = @Name";

    private const string InsertLockSql =
        "INSERT INTO locks (tenant_id, name, owner, fence, expires_at) VALUES (@TenantId, @Name, @Owner, 1, @Expires)";

    private const string TakeLockSql =
        "UPDATE locks SET owner = @Owner, fence = fence + @Bump, expires_at = @Expires "
        + "WHERE tenant_id = @TenantId AND name = @Name RETURNING fence";

    private const string ReleaseLockSql =
        "UPDATE locks SET owner = NULL, expires_at = @Now WHERE tenant_id = @TenantId AND name = @Name AND owner = @Owner";

    public Task<LockGrant> AcquireLockAsync(Lease lease, string name, TimeSpan ttl, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        Locks.RequireName(name);
        Locks.RequireTtl((int)Math.Ceiling(ttl.TotalSeconds));
        var nowMs = UnixMs.From(now);
        var expires = now + ttl;
        var expiresMs = UnixMs.From(expires);
        return WriteAsync(
            async (c, tx) =>
            {
                var tenantId = await RequireFenceAsync(c, tx, lease, nowMs, ct);
                var current = await FindLockAsync(c, tx, tenantId, name, ct);
                if (current is null)
                {
                    await c.Prepared(InsertLockSql, tx)
                        .Bind("@TenantId", tenantId)
                        .Bind("@Name", name)
                        .Bind("@Owner", lease.JobId)
                        .Bind("@Expires", expiresMs)
                        .ExecuteNonQueryAsync(ct);
                    return new LockGrant(name, 1, expires);
                }

                var (owner, _, expiresAt) = current.Value;
                var bump = LockTakeover.FenceBump(name, owner, expiresAt, lease.JobId, nowMs);
                var fence = (long)(await c.Prepared(TakeLockSql, tx)
                    .Bind("@TenantId", tenantId)
                    .Bind("@Name", name)
                    .Bind("@Owner", lease.JobId)
                    .Bind("@Bump", bump)
                    .Bind("@Expires", expiresMs)
                    .ExecuteScalarAsync(ct))!;
                return new LockGrant(name, fence, expires);
            },
            ct);
    }

    public Task<bool> ReleaseLockAsync(Lease lease, string name, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        Locks.RequireName(name);
        var nowMs = UnixMs.From(now);
        return WriteAsync(
            async (c, tx) =>
            {
                var tenantId = await RequireFenceAsync(c, tx, lease, nowMs, ct);
                return await c.Prepared(ReleaseLockSql, tx)
                    .Bind("@TenantId", tenantId)
                    .Bind("@Name", name)
                    .Bind("@Owner", lease.JobId)
                    .Bind("@Now", nowMs)
                    .ExecuteNonQueryAsync(ct) == 1;
            },
            ct);
    }

    public async Task PutFencedVariableAsync(
        Lease lease, WriteFence fence, string name, string valueJson, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(fence);
        RunVariables.Validate(name, valueJson);
        var nowMs = UnixMs.From(now);
        await WriteAsync(
            async (c, tx) =>
            {
                var tenantId = await RequireFenceAsync(c, tx, lease, nowMs, ct);
                var current = await FindLockAsync(c, tx, tenantId, fence.Lock, ct);
                Locks.CheckFence(fence, lease.JobId, current?.Fence, current?.Owner);
                return await UpsertVariableAsync(c, tx, tenantId, lease, name, valueJson, nowMs, ct);
            },
            ct);
    }

    private static async Task<(string? Owner, long Fence, long ExpiresAt)?> FindLockAsync(
        StoreConnection c, SqliteTransaction tx, string tenantId, string name, CancellationToken ct)
    {
        await using var reader = await c.Prepared(FindLockSql, tx)
            .Bind("@TenantId", tenantId)
            .Bind("@Name", name)
            .ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    // The one variable write (with RunVariables' cap), for the plain and the fenced path.
    private static async Task<int> UpsertVariableAsync(
        StoreConnection c, SqliteTransaction tx, string tenantId, Lease lease, string name, string valueJson, long nowMs, CancellationToken ct)
    {
        long count, exists;
        await using (var reader = await c.Prepared(CountVariablesSql, tx)
                         .Bind("@JobId", lease.JobId)
                         .Bind("@Name", name)
                         .ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (count, exists) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        RunVariables.EnsureRoom(checked((int)count), exists != 0);
        return await c.Prepared(UpsertVariableSql, tx)
            .Bind("@TenantId", tenantId)
            .Bind("@JobId", lease.JobId)
            .Bind("@Name", name)
            .Bind("@Value", valueJson)
            .Bind("@Now", nowMs)
            .ExecuteNonQueryAsync(ct);
    }
}
