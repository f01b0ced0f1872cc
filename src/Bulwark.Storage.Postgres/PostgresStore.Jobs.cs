using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Postgres.Connections;
using Dapper;
using Npgsql;

namespace Bulwark.Storage.Postgres;

// Jobs, tenant side. TEN-1: every statement runs under the scope's tenant, so another tenant's
// job is not filtered out by the code but absent from the table as the statement sees it.
public sealed partial class PostgresStore
{
    /// <summary>The channel every node LISTENs on for "work may be waiting".</summary>
    internal const string WorkChannel = "bulwark_work";

    private const string NotifyWorkSql = "SELECT pg_notify('" + WorkChannel + "', '')";

    // JOB-5: a repeated idempotency key inserts nothing; the existing job is then read instead.
    // (ON CONFLICT waits for a concurrent insert of the same key to commit, so exactly one wins.)
    private const string InsertJobSql =
        "INSERT INTO jobs (id, tenant_id, template_id, template_key, template_version, state, attempts, max_attempts, "
        + "priority, inputs_json, idempotency_key, run_at, created_at, cancel_requested, actor) "
        + "VALUES (@id, @tenant, @template_id, @template_key, @template_version, @state, 0, @max_attempts, "
        + "@priority, @inputs, @idempotency_key, @run_at, @created_at, false, @actor) "
        + "ON CONFLICT ON CONSTRAINT jobs_tenant_idempotency DO NOTHING "
        + "RETURNING " + JobRow.Columns;

    private const string FindByIdempotencyKeySql = "SELECT " + JobRow.Columns + " FROM jobs WHERE idempotency_key = @key";

    private const string GetJobSql = "SELECT " + JobRow.Columns + " FROM jobs WHERE id = @id";

    public Task<EnqueueResult> EnqueueAsync(TenantScope scope, NewJob job, AuditEntry audit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(audit);

        // The database refuses another tenant's template too: jobs_template_visible.
        NewJobs.RequireVisibleTemplate(scope, job);
        var runAt = UnixMs.From(job.RunAt);
        var createdAt = UnixMs.From(job.CreatedAt);
        var state = NewJobs.InitialState(runAt, createdAt);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                // The job's insert and the lock on the tenant's audit chain head go in one round trip.
                JobRow? inserted;
                ChainHead head;
                await using (var first = tx.Batch())
                {
                    first.Add(InsertJobSql)
                        .Bind("id", job.Id)
                        .Bind("tenant", tx.TenantId)
                        .Bind("template_id", job.Template.Id)
                        .Bind("template_key", job.Template.Key)
                        .Bind("template_version", job.Template.Version)
                        .Bind("state", state.ToName())
                        .Bind("max_attempts", job.MaxAttempts)
                        .Bind("priority", job.Priority)
                        .Bind("inputs", job.InputsJson)
                        .Bind("idempotency_key", job.IdempotencyKey)
                        .Bind("run_at", runAt)
                        .Bind("created_at", createdAt)
                        .Bind("actor", job.Actor);
                    AddLockHead(first, tx.TenantId);
                    await using var reader = await first.ExecuteReaderAsync(ct);
                    inserted = await reader.ReadAsync(ct) ? JobRow.Read(reader) : null;
                    await reader.NextResultAsync(ct);
                    head = await ReadHeadAsync(reader, ct);
                }

                if (inserted is null)
                {
                    // JOB-5: the key is the tenant's; the request resolved to the existing job, and
                    // the record names that job, not the discarded id.
                    await using var find = tx.Command(FindByIdempotencyKeySql).Bind("key", job.IdempotencyKey);
                    var existing = await ReadJobAsync(find, ct)
                        ?? throw new InvalidOperationException("The job holding the idempotency key vanished.");
                    await using var record = tx.Batch();
                    AddSealed(record, Seal(audit with { Target = existing.Id }, head));
                    await record.ExecuteNonQueryAsync(ct);
                    return new EnqueueResult(existing.ToJob(), Created: false);
                }

                await using var writes = tx.Batch();
                AddSealed(writes, Seal(audit, head));
                if (state == JobState.Queued)
                {
                    // Delivered at commit, to idle workers on every node.
                    writes.Add(NotifyWorkSql);
                }

                await writes.ExecuteNonQueryAsync(ct);

                return new EnqueueResult(inserted.ToJob(), Created: true);
            },
            ct);
    }

    public Task<Job?> GetJobAsync(TenantScope scope, string jobId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                await using var command = tx.Command(GetJobSql).Bind("id", jobId);
                return (await ReadJobAsync(command, ct))?.ToJob();
            },
            ct);
    }

    public Task<JobPage> ListJobsAsync(TenantScope scope, JobQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, JobQuery.MaxLimit);

        // Only fixed fragments are appended; every value is a parameter.
        var sql = new StringBuilder($"SELECT {JobRow.Columns} FROM jobs WHERE true");
        if (query.State is not null)
        {
            sql.Append(" AND state = @state");
        }

        if (query.TemplateKey is not null)
        {
            sql.Append(" AND template_key = @template_key");
        }

        if (query.Cursor is not null)
        {
            sql.Append(" AND id < @cursor");
        }

        // Ids are time-ordered (UUIDv7), so id order is submission order.
        sql.Append(" ORDER BY id DESC LIMIT @limit");
        var text = sql.ToString();
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                await using var command = tx.Command(text).Bind("limit", limit);
                if (query.State is { } wanted)
                {
                    command.Bind("state", wanted.ToName());
                }

                if (query.TemplateKey is not null)
                {
                    command.Bind("template_key", query.TemplateKey);
                }

                if (query.Cursor is not null)
                {
                    command.Bind("cursor", query.Cursor);
                }

                var jobs = new List<Job>(limit);
                await using (var reader = await command.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        jobs.Add(JobRow.Read(reader).ToJob());
                    }
                }

                return new JobPage(jobs, jobs.Count == limit ? jobs[^1].Id : null);
            },
            ct);
    }

    public Task<CancelResult?> RequestCancelAsync(TenantScope scope, string jobId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                // Locked, so a claim (which skips locked rows) or a completion cannot move it meanwhile.
                JobRow? current;
                await using (var find = tx.Command(GetJobSql + " FOR UPDATE").Bind("id", jobId))
                {
                    current = await ReadJobAsync(find, ct);
                }

                if (current is null)
                {
                    return null;
                }

                if (current.ParsedState == JobState.Running)
                {
                    // The worker learns it at its next heartbeat and kills the run; the state changes
                    // when it completes (or when the reaper finds its lease expired).
                    await using var flag = tx.Command(
                            $"UPDATE jobs SET cancel_requested = true WHERE id = @id RETURNING {JobRow.Columns}")
                        .Bind("id", jobId);
                    return new CancelResult((await ReadJobAsync(flag, ct))!.ToJob(), WasRunning: true);
                }

                // Throws for a finished job: it is refused whole, nothing written (JOB-2).
                var next = JobStateMachine.Transition(current.ParsedState, JobState.Cancelled);
                await using var cancel = tx.Command(
                        $"UPDATE jobs SET state = @state, finished_at = @now WHERE id = @id RETURNING {JobRow.Columns}")
                    .Bind("id", jobId)
                    .Bind("state", next.ToName())
                    .Bind("now", UnixMs.From(now));
                return (CancelResult?)new CancelResult((await ReadJobAsync(cancel, ct))!.ToJob(), WasRunning: false);
            },
            ct);
    }

    public Task<IReadOnlyList<JobLogEntry>?> GetLogsAsync(TenantScope scope, string jobId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                var exists = await tx.Connection.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM jobs WHERE id = @jobId)", new { jobId }, tx.Transaction);
                if (!exists)
                {
                    return null;
                }

                var rows = await tx.Connection.QueryAsync<LogRow>(
                    $"SELECT {LogRow.Columns} FROM job_logs WHERE job_id = @jobId ORDER BY id", new { jobId }, tx.Transaction);
                return (IReadOnlyList<JobLogEntry>?)rows.Select(r => r.ToEntry()).ToList();
            },
            ct);
    }

    /// <summary>The first row of a command selecting <see cref="JobRow.Columns"/>, or null.</summary>
    private static async Task<JobRow?> ReadJobAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? JobRow.Read(reader) : null;
    }
}
