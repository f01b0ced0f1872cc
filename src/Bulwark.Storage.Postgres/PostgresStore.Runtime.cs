using Bulwark.Core.Jobs;
using Bulwark.Core.Runtime;
using Bulwark.Storage.Postgres.Connections;

namespace Bulwark.Storage.Postgres;

// The runtime API's writes and reads (JOB-7, AUTHZ-5): a job's own variables and log lines. Each
// runs under the tenant the lease names and only after the fence of JOB-3 matched again, in the
// same transaction, and reaches rows by the fenced job's id: a lease of job A never names job B's data.
public sealed partial class PostgresStore
{
    // The fence and the value in one statement, so of one snapshot: no row when the fence fails,
    // a NULL value when the variable was never set.
    private const string GetVariableSql =
        "SELECT v.value_json FROM jobs j LEFT JOIN job_variables v ON v.job_id = j.id AND v.name = @name "
        + "WHERE j.id = @job AND j.attempts = @attempt AND j.lease_token = @token AND j.state = 'running' "
        + "AND j.lease_expires_at >= @now";

    private const string CountVariablesSql =
        "SELECT count(*), count(*) FILTER (WHERE name = @name) FROM job_variables WHERE job_id = @job";

    private const string UpsertVariableSql =
        "INSERT INTO job_variables (tenant_id, job_id, name, value_json, updated_at) "
        + "VALUES (@tenant, @job, @name, @value, @now) "
        + "ON CONFLICT (tenant_id, job_id, name) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at";

    public Task<string?> GetVariableAsync(Lease lease, string name, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        RunVariables.RequireName(name);
        var nowMs = UnixMs.From(now);
        return UnderLeaseAsync(
            lease,
            nowMs,
            async scope =>
            {
                await using var command = BindFence(scope.Command(GetVariableSql), lease, nowMs).Bind("name", name);
                await using var reader = await command.ExecuteReaderAsync(ct);
                if (!await reader.ReadAsync(ct))
                {
                    throw StoreErrors.LeaseLost(lease);
                }

                return reader.IsDBNull(0) ? null : reader.GetString(0);
            },
            ct);
    }

    public Task PutVariableAsync(Lease lease, string name, string valueJson, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        RunVariables.Validate(name, valueJson);
        var nowMs = UnixMs.From(now);
        return FencedAsync(
            lease,
            nowMs,
            scope => UpsertVariableAsync(scope, lease, name, valueJson, nowMs, ct),
            ct);
    }

    public Task AppendLogAsync(Lease lease, string stream, string text, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(text);
        RuntimeLogs.RequireStream(stream);

        var nowMs = UnixMs.From(now);
        return FencedAsync(
            lease,
            nowMs,
            async scope =>
            {
                await using var write = scope.Batch();
                AddLog(write, scope, lease, stream, text, nowMs);
                return await write.ExecuteNonQueryAsync(ct);
            },
            ct);
    }

    /// <summary><see cref="FencedAsync{T}(Lease, long, Func{TenantTransaction, bool, Task{T}}, CancellationToken)"/> for work that needs no cancel flag.</summary>
    private Task<T> FencedAsync<T>(Lease lease, long nowMs, Func<TenantTransaction, Task<T>> work, CancellationToken ct) =>
        FencedAsync(lease, nowMs, (scope, _) => work(scope), ct);

    // The one variable write (with RunVariables' cap), for the plain and the fenced path.
    private static async Task<int> UpsertVariableAsync(
        TenantTransaction scope, Lease lease, string name, string valueJson, long nowMs, CancellationToken ct)
    {
        long count, exists;
        await using (var command = scope.Command(CountVariablesSql).Bind("job", lease.JobId).Bind("name", name))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (count, exists) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        RunVariables.EnsureRoom(checked((int)count), exists != 0);
        await using var upsert = scope.Command(UpsertVariableSql)
            .Bind("tenant", scope.TenantId)
            .Bind("job", lease.JobId)
            .Bind("name", name)
            .Bind("value", valueJson)
            .Bind("now", nowMs);
        return await upsert.ExecuteNonQueryAsync(ct);
    }
}
