using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Sqlite.Connections;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite;

// Jobs, tenant side. TEN-1: every statement here filters by the TenantScope's id; a job of
// another tenant is indistinguishable from a missing one.
public sealed partial class SqliteStore
{
    private const string InsertJobSql =
        "INSERT INTO jobs (id, tenant_id, template_id, template_key, template_version, state, attempts, max_attempts, "
        + "priority, inputs_json, idempotency_key, run_at, created_at, cancel_requested, actor) "
        + "VALUES (@Id, @TenantId, @TemplateId, @TemplateKey, @TemplateVersion, @State, 0, @MaxAttempts, "
        + "@Priority, @InputsJson, @IdempotencyKey, @RunAt, @CreatedAt, 0, @Actor) "
        + "RETURNING " + JobRow.Columns;

    private const string FindByIdempotencyKeySql =
        "SELECT " + JobRow.Columns + " FROM jobs WHERE tenant_id = @TenantId AND idempotency_key = @Key";

    public Task<EnqueueResult> EnqueueAsync(TenantScope scope, NewJob job, AuditEntry audit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(audit);

        NewJobs.RequireVisibleTemplate(scope, job);
        var runAt = UnixMs.From(job.RunAt);
        var createdAt = UnixMs.From(job.CreatedAt);
        var state = NewJobs.InitialState(runAt, createdAt);
        return WriteAsync(
            async (c, tx) =>
            {
                if (job.IdempotencyKey is { } key)
                {
                    // JOB-5: the key is the tenant's; the same key in another tenant is another job.
                    var existing = await ReadJobAsync(
                        c.Prepared(FindByIdempotencyKeySql, tx).Bind("@TenantId", scope.TenantId).Bind("@Key", key), ct);
                    if (existing is not null)
                    {
                        // The request resolved to the existing job: the record names that job, not the discarded id.
                        await AppendSealedAsync(c, tx, audit with { Target = existing.Id }, ct);
                        return new EnqueueResult(existing.ToJob(), Created: false);
                    }
                }

                var insert = c.Prepared(InsertJobSql, tx)
                    .Bind("@Id", job.Id)
                    .Bind("@TenantId", scope.TenantId)
                    .Bind("@TemplateId", job.Template.Id)
                    .Bind("@TemplateKey", job.Template.Key)
                    .Bind("@TemplateVersion", job.Template.Version)
                    .Bind("@State", state.ToName())
                    .Bind("@MaxAttempts", job.MaxAttempts)
                    .Bind("@Priority", job.Priority)
                    .Bind("@InputsJson", job.InputsJson)
                    .Bind("@IdempotencyKey", job.IdempotencyKey)
                    .Bind("@RunAt", runAt)
                    .Bind("@CreatedAt", createdAt)
                    .Bind("@Actor", job.Actor);
                var row = await ReadJobAsync(insert, ct)
                    ?? throw new InvalidOperationException("INSERT … RETURNING returned no row.");
                await AppendSealedAsync(c, tx, audit, ct);
                return new EnqueueResult(row.ToJob(), Created: true);
            },
            ct);
    }

    public Task<Job?> GetJobAsync(TenantScope scope, string jobId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c => (await c.Db.QuerySingleOrDefaultAsync<JobRow>(
                $"SELECT {JobRow.Columns} FROM jobs WHERE id = @jobId AND tenant_id = @TenantId",
                new { jobId, scope.TenantId }))?.ToJob(),
            ct);
    }

    public Task<JobPage> ListJobsAsync(TenantScope scope, JobQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, JobQuery.MaxLimit);

        // Only fixed fragments are appended; every value is a parameter.
        var sql = new StringBuilder($"SELECT {JobRow.Columns} FROM jobs WHERE tenant_id = @TenantId");
        if (query.State is not null)
        {
            sql.Append(" AND state = @State");
        }

        if (query.TemplateKey is not null)
        {
            sql.Append(" AND template_key = @TemplateKey");
        }

        if (query.Cursor is not null)
        {
            sql.Append(" AND id < @Cursor");
        }

        // Ids are time-ordered (UUIDv7), so id order is submission order.
        sql.Append(" ORDER BY id DESC LIMIT @Limit");
        var text = sql.ToString();
        var parameters = new
        {
            scope.TenantId,
            State = query.State?.ToName(),
            query.TemplateKey,
            query.Cursor,
            Limit = limit,
        };
        return ReadAsync(
            async c =>
            {
                var jobs = (await c.Db.QueryAsync<JobRow>(text, parameters)).Select(r => r.ToJob()).ToList();
                var next = jobs.Count == limit ? jobs[^1].Id : null;
                return new JobPage(jobs, next);
            },
            ct);
    }

    public Task<CancelResult?> RequestCancelAsync(TenantScope scope, string jobId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return WriteAsync(
            async (c, tx) =>
            {
                var current = await c.Db.QuerySingleOrDefaultAsync<JobRow>(
                    $"SELECT {JobRow.Columns} FROM jobs WHERE id = @jobId AND tenant_id = @TenantId",
                    new { jobId, scope.TenantId },
                    tx);
                if (current is null)
                {
                    return null;
                }

                if (current.ParsedState == JobState.Running)
                {
                    // The worker learns it at its next heartbeat and kills the run; the state changes
                    // when it completes (or when the reaper finds its lease expired).
                    var flagged = await c.Db.QuerySingleAsync<JobRow>(
                        $"UPDATE jobs SET cancel_requested = 1 WHERE id = @jobId AND tenant_id = @TenantId RETURNING {JobRow.Columns}",
                        new { jobId, scope.TenantId },
                        tx);
                    return new CancelResult(flagged.ToJob(), WasRunning: true);
                }

                // Throws for a finished job: it is refused whole, nothing written (JOB-2).
                var next = JobStateMachine.Transition(current.ParsedState, JobState.Cancelled);
                var cancelled = await c.Db.QuerySingleAsync<JobRow>(
                    "UPDATE jobs SET state = @State, finished_at = @Now WHERE id = @jobId AND tenant_id = @TenantId "
                    + $"RETURNING {JobRow.Columns}",
                    new { jobId, scope.TenantId, State = next.ToName(), Now = UnixMs.From(now) },
                    tx);
                return (CancelResult?)new CancelResult(cancelled.ToJob(), WasRunning: false);
            },
            ct);
    }

    public Task<IReadOnlyList<JobLogEntry>?> GetLogsAsync(TenantScope scope, string jobId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadSnapshotAsync(
            async (c, tx) =>
            {
                var exists = await c.Db.ExecuteScalarAsync<long>(
                    "SELECT EXISTS (SELECT 1 FROM jobs WHERE id = @jobId AND tenant_id = @TenantId)",
                    new { jobId, scope.TenantId },
                    tx);
                if (exists == 0)
                {
                    return null;
                }

                var rows = await c.Db.QueryAsync<LogRow>(
                    $"SELECT {LogRow.Columns} FROM job_logs WHERE job_id = @jobId AND tenant_id = @TenantId ORDER BY id",
                    new { jobId, scope.TenantId },
                    tx);
                return (IReadOnlyList<JobLogEntry>?)rows.Select(r => r.ToEntry()).ToList();
            },
            ct);
    }

    /// <summary>The first row of a command selecting <see cref="JobRow.Columns"/>, or null.</summary>
    private static async Task<JobRow?> ReadJobAsync(SqliteCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? JobRow.Read(reader) : null;
    }
}
