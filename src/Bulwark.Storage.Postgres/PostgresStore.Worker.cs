using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;
using Bulwark.Storage.Postgres.Connections;
using Npgsql;

namespace Bulwark.Storage.Postgres;

// Jobs, worker side: claim, heartbeat, complete, reap. Workers serve every tenant, so the claim,
// the reaper and the next-due time are cross-tenant functions; heartbeat and completion run under
// the tenant their lease names, fenced by (job id, attempt, lease token) (JOB-3). This is the
// queue's hot path: constant statements (auto-prepared), rows read by position, no LINQ.
public sealed partial class PostgresStore
{
    /// <summary>More than this per transaction only lengthens the time the rows stay locked.</summary>
    public const int MaxClaimBatch = 256;

    private const string ClaimSql =
        "SELECT " + JobRow.Columns + ", template_tenant_id, template_created_at, template_definition_json "
        + "FROM claim_jobs(@worker, @max, @now, @expires)";

    // The fence (JOB-3): the same job, the same attempt, the same token, still running, and the
    // lease not expired at 'now' (expired means lease_expires_at < now, as for the reaper).
    private const string FenceWhere =
        "id = @job AND attempts = @attempt AND lease_token = @token AND state = 'running' AND lease_expires_at >= @now";

    private const string HeartbeatSql =
        "UPDATE jobs SET lease_expires_at = @expires WHERE " + FenceWhere + " RETURNING cancel_requested";

    // FOR UPDATE: the job row stays as checked until commit (a reaper or a second completion waits).
    private const string FenceSql = "SELECT cancel_requested FROM jobs WHERE " + FenceWhere + " FOR UPDATE";

    private const string CompleteJobSql =
        "UPDATE jobs SET state = @state, result_json = @result, error = @error, error_code = @error_code, "
        + "finished_at = @finished_at, run_at = coalesce(@retry_at, run_at), "
        + "lease_token = NULL, lease_expires_at = NULL, worker_id = NULL WHERE id = @job";

    private const string CloseAttemptSql =
        "UPDATE attempts SET finished_at = @now, outcome = @state, exit_code = @exit_code, error = @error, "
        + "error_code = @error_code WHERE job_id = @job AND attempt = @attempt";

    private const string InsertLogSql =
        "INSERT INTO job_logs (tenant_id, job_id, attempt, stream, text, at) VALUES (@tenant, @job, @attempt, @stream, @text, @now)";

    private const string ReapSql =
        "SELECT reap_expired_leases(@now)";

    private const string NextDueSql = "SELECT next_due_at()";

    // OPS-2: the jobs table is behind the tenant wall; the definer function returns totals only.
    private const string QueueDepthSql = "SELECT state, jobs FROM queue_depth()";

    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(
        string workerId, int max, TimeSpan lease, DateTimeOffset now, CancellationToken ct)
    {
        if (ClaimBatch.Of(workerId, max, MaxClaimBatch, lease, now) is not { } batch)
        {
            return [];
        }

        var (limit, nowMs, expires) = batch;

        // One statement, so one transaction and one commit for the whole batch: the claim, the
        // attempt rows, and each job's template.
        var claimed = await OutsideTenantsAsync(
            async connection =>
            {
                var rows = new List<(JobRow Job, JobTemplate Template)>(limit);
                await using var command = new NpgsqlCommand(ClaimSql, connection)
                    .Bind("worker", workerId)
                    .Bind("max", limit)
                    .Bind("now", nowMs)
                    .Bind("expires", expires);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var job = JobRow.Read(reader);
                    rows.Add((job, CachedTemplate(job, reader)));
                }

                return rows;
            },
            ct);

        if (claimed.Count == 0)
        {
            return [];
        }

        // The function returns rows in no particular order.
        claimed.Sort(static (a, b) => JobRow.ClaimOrder(a.Job, b.Job));

        var result = new ClaimedJob[claimed.Count];
        for (var i = 0; i < claimed.Count; i++)
        {
            var (row, template) = claimed[i];
            result[i] = row.ToClaimedJob(template);
        }

        return result;
    }

    public async Task<bool> HeartbeatAsync(Lease lease, TimeSpan extension, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(extension, TimeSpan.Zero);
        var nowMs = UnixMs.From(now);
        var expires = UnixMs.From(now + extension);
        var cancelRequested = await UnderLeaseAsync(
            lease,
            nowMs,
            async scope =>
            {
                await using var command = BindFence(scope.Command(HeartbeatSql), lease, nowMs).Bind("expires", expires);
                return await command.ExecuteScalarAsync(ct);
            },
            ct);
        return cancelRequested switch
        {
            bool value => value,
            _ => throw StoreErrors.LeaseLost(lease),
        };
    }

    public Task CompleteAsync(Lease lease, Completion completion, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(completion);

        var requested = CompletionPlan.Requested(completion);
        var nowMs = UnixMs.From(now);
        return FencedAsync(
            lease,
            nowMs,
            async (scope, cancelRequested) =>
            {
                var plan = CompletionPlan.Decide(requested, cancelRequested, completion, now);

                // Every write of the completion in one round trip.
                await using var writes = scope.Batch();
                writes.Add(CompleteJobSql)
                    .Bind("job", lease.JobId)
                    .Bind("state", plan.StateName)
                    .Bind("result", completion.ResultJson)
                    .Bind("error", completion.Error)
                    .Bind("error_code", completion.ErrorCode)
                    .Bind("finished_at", plan.FinishedAt)
                    .Bind("retry_at", plan.RetryAt);
                writes.Add(CloseAttemptSql)
                    .Bind("job", lease.JobId)
                    .Bind("attempt", lease.Attempt)
                    .Bind("now", nowMs)
                    .Bind("state", plan.StateName)
                    .Bind("exit_code", completion.ExitCode)
                    .Bind("error", completion.Error)
                    .Bind("error_code", completion.ErrorCode);
                if (completion.Stdout.Length > 0)
                {
                    AddLog(writes, scope, lease, "stdout", completion.Stdout, nowMs);
                }

                if (completion.Stderr.Length > 0)
                {
                    AddLog(writes, scope, lease, "stderr", completion.Stderr, nowMs);
                }

                await writes.ExecuteNonQueryAsync(ct);
                return 0;
            },
            ct);
    }

    public Task<int> ReapExpiredLeasesAsync(DateTimeOffset now, CancellationToken ct)
    {
        var nowMs = UnixMs.From(now);
        return OutsideTenantsAsync(
            async connection =>
            {
                await using var command = new NpgsqlCommand(ReapSql, connection)
                    .Bind("now", nowMs);
                return (int)(await command.ExecuteScalarAsync(ct))!;
            },
            ct);
    }

    public Task<DateTimeOffset?> NextDueAtAsync(CancellationToken ct) =>
        OutsideTenantsAsync(
            async connection =>
            {
                await using var command = new NpgsqlCommand(NextDueSql, connection);
                return await command.ExecuteScalarAsync(ct) is long runAt ? UnixMs.To(runAt) : (DateTimeOffset?)null;
            },
            ct);

    public Task<QueueDepth> QueueDepthAsync(CancellationToken ct) =>
        OutsideTenantsAsync(
            async connection =>
            {
                var rows = new List<(string, long)>(4);
                await using var command = new NpgsqlCommand(QueueDepthSql, connection);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    rows.Add((reader.GetString(0), reader.GetInt64(1)));
                }

                return QueueDepth.From(rows);
            },
            ct);

    /// <summary>The claimed job's template: parsed once per id from the claim's own columns, then from the cache.</summary>
    private JobTemplate CachedTemplate(JobRow job, NpgsqlDataReader reader)
    {
        if (_templates.TryGetValue(job.TemplateId, out var cached))
        {
            return cached;
        }

        var at = JobRow.ColumnCount;
        return CacheTemplate(new TemplateRow
        {
            Id = job.TemplateId,
            TenantId = JobRow.NullableString(reader, at),
            Key = job.TemplateKey,
            Version = job.TemplateVersion,
            CreatedAt = reader.GetInt64(at + 1),
            DefinitionJson = reader.GetString(at + 2),
        });
    }

    private static void AddLog(NpgsqlBatch batch, TenantTransaction scope, Lease lease, string stream, string text, long nowMs) =>
        batch.Add(InsertLogSql)
            .Bind("tenant", scope.TenantId)
            .Bind("job", lease.JobId)
            .Bind("attempt", lease.Attempt)
            .Bind("stream", stream)
            .Bind("text", text)
            .Bind("now", nowMs);

    // claim_jobs and reap_expired_leases write their states as literals, because a caller of a
    // cross-tenant function must choose nothing but the time. The state machine must allow those
    // transitions: checked when a store is made, so a change to the table fails the store at
    // once instead of letting the functions write an illegal state.
    private static void CheckFunctionTransitions()
    {
        foreach (var state in Enum.GetValues<JobState>())
        {
            if (JobStateMachine.IsClaimable(state))
            {
                Require(JobStateMachine.Transition(state, JobState.Running), "running");
            }
        }

        Require(JobStateMachine.Transition(JobState.Running, JobState.Cancelled), "cancelled");
        Require(JobStateMachine.Transition(JobState.Running, JobState.Retrying), "retrying");
        Require(JobStateMachine.Transition(JobState.Running, JobState.Dead), "dead");

        static void Require(JobState state, string writtenBySql)
        {
            if (state.ToName() != writtenBySql)
            {
                throw new InvalidOperationException($"The state machine names '{state.ToName()}' where the claim and reaper functions write '{writtenBySql}'.");
            }
        }
    }
}
