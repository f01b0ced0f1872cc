using Bulwark.Core.Fences;
using Bulwark.Core.Jobs;
using Bulwark.Core.Runtime;
using Bulwark.Storage.Postgres.Connections;

namespace Bulwark.Storage.Postgres;

// Named locks and write fences (AUTHZ-6, seed 003). Every statement runs under the tenant the lease
// names, after the lease fence of JOB-3 matched again in the same transaction, so a job reaches
// only its own tenant's locks (TEN-1): the tenant comes from the job row, never from the caller.
public sealed partial class PostgresStore
{
    // A new name is taken at fence 1 at once; ON CONFLICT waits for a concurrent taker of the same
    // name to commit and then leaves its row to the checks below.
    private const string InsertLockSql =
        "INSERT INTO locks (tenant_id, name, owner, fence, expires_at) VALUES (@tenant, @name, @owner, 1, @expires) "
        + "ON CONFLICT (tenant_id, name) DO NOTHING";

    // FOR UPDATE / FOR SHARE: what was checked holds until commit (a takeover waits for a fenced write).
    private const string FindLockForUpdateSql = "SELECT owner, fence, expires_at FROM locks WHERE name = @name FOR UPDATE";

    private const string FindLockForShareSql = "SELECT owner, fence, expires_at FROM locks WHERE name = @name FOR SHARE";

    private const string TakeLockSql =
        "UPDATE locks SET owner = @owner, fence = fence + @bump, expires_at = @expires WHERE name = @name RETURNING fence";

    private const string ReleaseLockSql =
        "UPDATE locks SET owner = NULL, expires_at = @now WHERE name = @name AND owner = @owner";

    public Task<LockGrant> AcquireLockAsync(Lease lease, string name, TimeSpan ttl, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        Locks.RequireName(name);
        Locks.RequireTtl((int)Math.Ceiling(ttl.TotalSeconds));
        var nowMs = UnixMs.From(now);
        var expires = now + ttl;
        var expiresMs = UnixMs.From(expires);
        return FencedAsync(
            lease,
            nowMs,
            async scope =>
            {
                await using (var insert = scope.Command(InsertLockSql)
                                 .Bind("tenant", scope.TenantId)
                                 .Bind("name", name)
                                 .Bind("owner", lease.JobId)
                                 .Bind("expires", expiresMs))
                {
                    if (await insert.ExecuteNonQueryAsync(ct) == 1)
                    {
                        return new LockGrant(name, 1, expires);
                    }
                }

                var (owner, _, expiresAt) = (await FindLockAsync(scope, FindLockForUpdateSql, name, ct))!.Value;
                await using var take = scope.Command(TakeLockSql)
                    .Bind("name", name)
                    .Bind("owner", lease.JobId)
                    .Bind("bump", LockTakeover.FenceBump(name, owner, expiresAt, lease.JobId, nowMs))
                    .Bind("expires", expiresMs);
                var fence = (long)(await take.ExecuteScalarAsync(ct))!;
                return new LockGrant(name, fence, expires);
            },
            ct);
    }

    public Task<bool> ReleaseLockAsync(Lease lease, string name, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        Locks.RequireName(name);
        var nowMs = UnixMs.From(now);
        return FencedAsync(
            lease,
            nowMs,
            async scope =>
            {
                await using var release = scope.Command(ReleaseLockSql)
                    .Bind("name", name)
                    .Bind("owner", lease.JobId)
                    .Bind("now", nowMs);
                return await release.ExecuteNonQueryAsync(ct) == 1;
            },
            ct);
    }

    public Task PutFencedVariableAsync(
        Lease lease, WriteFence fence, string name, string valueJson, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(fence);
        RunVariables.Validate(name, valueJson);
        var nowMs = UnixMs.From(now);
        return FencedAsync(
            lease,
            nowMs,
            async scope =>
            {
                var current = await FindLockAsync(scope, FindLockForShareSql, fence.Lock, ct);
                Locks.CheckFence(fence, lease.JobId, current?.Fence, current?.Owner);
                return await UpsertVariableAsync(scope, lease, name, valueJson, nowMs, ct);
            },
            ct);
    }

    private static async Task<(string? Owner, long Fence, long ExpiresAt)?> FindLockAsync(
        TenantTransaction scope, string sql, string name, CancellationToken ct)
    {
        await using var command = scope.Command(sql).Bind("name", name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
