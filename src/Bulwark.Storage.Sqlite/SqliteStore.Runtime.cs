using Bulwark.Core.Jobs;
using Bulwark.Core.Runtime;
using Bulwark.Storage.Sqlite.Connections;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite;

// The runtime API's writes and reads (JOB-7, AUTHZ-5): a job's own variables and log lines.
// Each statement runs only after the lease fence of JOB-3 matched in the same transaction, and
// reaches rows by the fenced job's id: a lease of job A can never name job B's data.
public sealed partial class SqliteStore
{
    private const string FencedTenantSql = "SELECT tenant_id FROM jobs WHERE " + FenceWhere;

    private const string GetVariableSql = "SELECT value_json FROM job_variables WHERE job_id = @JobId AND name = @Name";

    private const string CountVariablesSql =
        "SELECT count(*), coalesce(sum(name = @Name), 0) FROM job_variables WHERE job_id = @JobId";

    private const string UpsertVariableSql =
        "INSERT INTO job_variables (tenant_id, job_id, name, value_json, updated_at) "
        + "VALUES (@TenantId, @JobId, @Name, @Value, @Now) "
        + "ON CONFLICT (job_id, name) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at";

    public Task<string?> GetVariableAsync(Lease lease, string name, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        RunVariables.RequireName(name);
        var nowMs = UnixMs.From(now);

        // A read, but the fence and the value must be of one snapshot.
        return ReadSnapshotAsync(
            async (c, tx) =>
            {
                await RequireFenceAsync(c, tx, lease, nowMs, ct);
                return await c.Prepared(GetVariableSql, tx)
                    .Bind("@JobId", lease.JobId)
                    .Bind("@Name", name)
                    .ExecuteScalarAsync(ct) as string;
            },
            ct);
    }

    public Task PutVariableAsync(Lease lease, string name, string valueJson, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        RunVariables.Validate(name, valueJson);
        var nowMs = UnixMs.From(now);
        return WriteAsync(
            async (c, tx) =>
            {
                var tenantId = await RequireFenceAsync(c, tx, lease, nowMs, ct);
                return await UpsertVariableAsync(c, tx, tenantId, lease, name, valueJson, nowMs, ct);
            },
            ct);
    }

    public Task AppendLogAsync(Lease lease, string stream, string text, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(text);
        RuntimeLogs.RequireStream(stream);

        var nowMs = UnixMs.From(now);
        return WriteAsync(
            async (c, tx) =>
            {
                await RequireFenceAsync(c, tx, lease, nowMs, ct);
                return await InsertLogAsync(c, tx, lease, stream, text, nowMs, ct);
            },
            ct);
    }

    /// <summary>The fenced job's tenant; throws <c>lease_lost</c> when the fence does not match.</summary>
    private static async Task<string> RequireFenceAsync(
        StoreConnection c, SqliteTransaction tx, Lease lease, long nowMs, CancellationToken ct) =>
        await BindFence(c.Prepared(FencedTenantSql, tx), lease, nowMs).ExecuteScalarAsync(ct) as string
        ?? throw StoreErrors.LeaseLost(lease);
}
