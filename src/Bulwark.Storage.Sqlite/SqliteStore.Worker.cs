using Bulwark.Core.Jobs;
using Bulwark.Storage.Sqlite.Connections;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite;

// Jobs, worker side: claim, heartbeat, complete, reap. Cross-tenant by design (workers serve
// every tenant); every write here is fenced by (job id, attempt, lease token) (JOB-3).
// This is the queue's hot path: prepared statements, rows read by position, no LINQ.
public sealed partial class SqliteStore
{
    /// <summary>More than this per transaction only lengthens the time the write lock is held.</summary>
    public const int MaxClaimBatch = 256;

    private const string LeaseExpiredError = "The worker's lease expired.";
    private const string LeaseExpiredCode = "lease_expired";

    // The claim and reaper UPDATEs change many rows in one statement, so their transitions are
    // checked against the state machine once, here, rather than per row: if the table ever stops
    // allowing one of them, the store fails on first use instead of writing an illegal state.
    private static readonly string RunningName = ClaimTransition();
    private static readonly string ReapCancelledName = JobStateMachine.Transition(JobState.Running, JobState.Cancelled).ToName();
    private static readonly string ReapRetryingName = JobStateMachine.Transition(JobState.Running, JobState.Retrying).ToName();
    private static readonly string ReapDeadName = JobStateMachine.Transition(JobState.Running, JobState.Dead).ToName();

    // The WHERE of the partial index jobs_claimable, spelled the same way: SQLite uses a partial
    // index only when the query repeats its terms.
    private const string ClaimableWhere = "state IN ('queued', 'scheduled', 'retrying') AND cancel_requested = 0";

    // TEN-4: a suspended tenant's jobs wait in the queue untouched until it is resumed.
    private const string TenantActive = "tenant_id NOT IN (SELECT id FROM tenants WHERE suspended = 1)";

    // One statement picks the due jobs in claim order and takes them; RETURNING hands back the
    // new lease without a second read. Rows come back in no particular order (sorted in code).
    private const string ClaimSql =
        "UPDATE jobs SET state = @Running, attempts = attempts + 1, lease_token = lower(hex(randomblob(16))), "
        + "lease_expires_at = @Expires, worker_id = @Worker, started_at = coalesce(started_at, @Now) "
        + "WHERE id IN (SELECT id FROM jobs WHERE " + ClaimableWhere + " AND run_at <= @Now AND " + TenantActive + " "
        + "ORDER BY priority DESC, run_at ASC, id ASC LIMIT @Max) "
        + "RETURNING " + JobRow.Columns;

    private const string InsertAttemptSql =
        "INSERT INTO attempts (job_id, attempt, tenant_id, worker_id, started_at) "
        + "VALUES (@JobId, @Attempt, @TenantId, @Worker, @Now)";

    // The fence (JOB-3): the same job, the same attempt, the same token, still running, and the
    // lease not expired at 'now' (expired means lease_expires_at < now, as for the reaper).
    private const string FenceWhere =
        "id = @JobId AND attempts = @Attempt AND lease_token = @Token AND state = 'running' AND lease_expires_at >= @Now";

    private const string HeartbeatSql =
        "UPDATE jobs SET lease_expires_at = @Expires WHERE " + FenceWhere + " RETURNING cancel_requested";

    private const string FenceSql = "SELECT cancel_requested FROM jobs WHERE " + FenceWhere;

    private const string CompleteJobSql =
        "UPDATE jobs SET state = @State, result_json = @ResultJson, error = @Error, error_code = @ErrorCode, "
        + "finished_at = @FinishedAt, run_at = coalesce(@RetryAt, run_at), "
        + "lease_token = NULL, lease_expires_at = NULL, worker_id = NULL WHERE id = @JobId";

    private const string CloseAttemptSql =
        "UPDATE attempts SET finished_at = @Now, outcome = @State, exit_code = @ExitCode, error = @Error, "
        + "error_code = @ErrorCode WHERE job_id = @JobId AND attempt = @Attempt";

    private const string InsertLogSql =
        "INSERT INTO job_logs (tenant_id, job_id, attempt, stream, text, at) "
        + "SELECT tenant_id, id, @Attempt, @Stream, @Text, @Now FROM jobs WHERE id = @JobId";

    private const string ReapSql =
        "UPDATE jobs SET "
        + "state = CASE WHEN cancel_requested = 1 THEN @Cancelled WHEN attempts < max_attempts THEN @Retrying ELSE @Dead END, "
        + "run_at = CASE WHEN cancel_requested = 0 AND attempts < max_attempts THEN @Now ELSE run_at END, "
        + "error = CASE WHEN cancel_requested = 1 THEN error ELSE @Error END, "
        + "error_code = CASE WHEN cancel_requested = 1 THEN error_code ELSE @ErrorCode END, "
        + "finished_at = CASE WHEN cancel_requested = 1 OR attempts >= max_attempts THEN @Now ELSE finished_at END, "
        + "lease_token = NULL, lease_expires_at = NULL, worker_id = NULL "
        + "WHERE state = 'running' AND lease_expires_at < @Now "
        + "RETURNING id, attempts, state";

    private const string NextDueSql = "SELECT min(run_at) FROM jobs WHERE " + ClaimableWhere + " AND " + TenantActive;

    // OPS-2: totals per state of every tenant, for the queue-depth gauge; no tenant leaves the store.
    private const string QueueDepthSql =
        "SELECT state, count(*) FROM jobs WHERE state IN ('queued', 'scheduled', 'retrying', 'running') GROUP BY state";

    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(
        string workerId, int max, TimeSpan lease, DateTimeOffset now, CancellationToken ct)
    {
        if (ClaimBatch.Of(workerId, max, MaxClaimBatch, lease, now) is not { } batch)
        {
            return [];
        }

        var (limit, nowMs, expires) = batch;

        // One write transaction for the whole batch: the claim, and the attempt rows.
        var rows = await WriteAsync(
            async (c, tx) =>
            {
                var claimed = new List<JobRow>(limit);
                var claim = c.Prepared(ClaimSql, tx)
                    .Bind("@Running", RunningName)
                    .Bind("@Expires", expires)
                    .Bind("@Worker", workerId)
                    .Bind("@Now", nowMs)
                    .Bind("@Max", limit);
                await using (var reader = await claim.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        claimed.Add(JobRow.Read(reader));
                    }
                }

                var attempt = c.Prepared(InsertAttemptSql, tx).Bind("@Worker", workerId).Bind("@Now", nowMs);
                foreach (var row in claimed)
                {
                    await attempt.Bind("@JobId", row.Id).Bind("@Attempt", row.Attempts).Bind("@TenantId", row.TenantId)
                        .ExecuteNonQueryAsync(ct);
                }

                return claimed;
            },
            ct);

        if (rows.Count == 0)
        {
            return [];
        }

        rows.Sort(JobRow.ClaimOrder);

        // Outside the write lock: templates are immutable, and usually already cached.
        var result = new ClaimedJob[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (!_templates.TryGetValue(row.TemplateId, out var template))
            {
                template = await ReadAsync(c => LoadTemplateAsync(c, row.TemplateId), ct);
            }

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
        var cancelRequested = await WriteAsync(
            async (c, tx) => await BindFence(c.Prepared(HeartbeatSql, tx), lease, nowMs)
                .Bind("@Expires", expires)
                .ExecuteScalarAsync(ct),
            ct);
        return cancelRequested switch
        {
            long value => value != 0,
            _ => throw StoreErrors.LeaseLost(lease),
        };
    }

    public Task CompleteAsync(Lease lease, Completion completion, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(completion);

        var requested = CompletionPlan.Requested(completion);
        var nowMs = UnixMs.From(now);
        return WriteAsync(
            async (c, tx) =>
            {
                var cancelRequested = await BindFence(c.Prepared(FenceSql, tx), lease, nowMs).ExecuteScalarAsync(ct);
                if (cancelRequested is not long flag)
                {
                    throw StoreErrors.LeaseLost(lease);
                }

                var plan = CompletionPlan.Decide(requested, flag != 0, completion, now);
                await c.Prepared(CompleteJobSql, tx)
                    .Bind("@JobId", lease.JobId)
                    .Bind("@State", plan.StateName)
                    .Bind("@ResultJson", completion.ResultJson)
                    .Bind("@Error", completion.Error)
                    .Bind("@ErrorCode", completion.ErrorCode)
                    .Bind("@FinishedAt", plan.FinishedAt)
                    .Bind("@RetryAt", plan.RetryAt)
                    .ExecuteNonQueryAsync(ct);
                await c.Prepared(CloseAttemptSql, tx)
                    .Bind("@JobId", lease.JobId)
                    .Bind("@Attempt", lease.Attempt)
                    .Bind("@Now", nowMs)
                    .Bind("@State", plan.StateName)
                    .Bind("@ExitCode", completion.ExitCode)
                    .Bind("@Error", completion.Error)
                    .Bind("@ErrorCode", completion.ErrorCode)
                    .ExecuteNonQueryAsync(ct);

                if (completion.Stdout.Length > 0)
                {
                    await InsertLogAsync(c, tx, lease, "stdout", completion.Stdout, nowMs, ct);
                }

                if (completion.Stderr.Length > 0)
                {
                    await InsertLogAsync(c, tx, lease, "stderr", completion.Stderr, nowMs, ct);
                }

                return 0;
            },
            ct);
    }

    public Task<int> ReapExpiredLeasesAsync(DateTimeOffset now, CancellationToken ct)
    {
        var nowMs = UnixMs.From(now);
        return WriteAsync(
            async (c, tx) =>
            {
                var reaped = new List<(string Id, long Attempt, string State)>();
                var reap = c.Prepared(ReapSql, tx)
                    .Bind("@Cancelled", ReapCancelledName)
                    .Bind("@Retrying", ReapRetryingName)
                    .Bind("@Dead", ReapDeadName)
                    .Bind("@Now", nowMs)
                    .Bind("@Error", LeaseExpiredError)
                    .Bind("@ErrorCode", LeaseExpiredCode);
                await using (var reader = await reap.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        reaped.Add((reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
                    }
                }

                // The attempt ended because its worker vanished, whatever became of the job.
                var close = c.Prepared(CloseAttemptSql, tx)
                    .Bind("@Now", nowMs)
                    .Bind("@ExitCode", null)
                    .Bind("@Error", LeaseExpiredError)
                    .Bind("@ErrorCode", LeaseExpiredCode);
                foreach (var (id, attempt, state) in reaped)
                {
                    await close.Bind("@JobId", id).Bind("@Attempt", attempt).Bind("@State", state).ExecuteNonQueryAsync(ct);
                }

                return reaped.Count;
            },
            ct);
    }

    public Task<DateTimeOffset?> NextDueAtAsync(CancellationToken ct) =>
        ReadAsync(
            async c => await c.Prepared(NextDueSql, null).ExecuteScalarAsync(ct) is long runAt ? UnixMs.To(runAt) : (DateTimeOffset?)null,
            ct);

    public Task<QueueDepth> QueueDepthAsync(CancellationToken ct) =>
        ReadAsync(
            async c =>
            {
                var rows = new List<(string, long)>(4);
                await using var reader = await c.Prepared(QueueDepthSql, null).ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    rows.Add((reader.GetString(0), reader.GetInt64(1)));
                }

                return QueueDepth.From(rows);
            },
            ct);

    private static SqliteCommand BindFence(SqliteCommand command, Lease lease, long nowMs) =>
        command.Bind("@JobId", lease.JobId)
            .Bind("@Attempt", lease.Attempt)
            .Bind("@Token", lease.Token)
            .Bind("@Now", nowMs);

    private static Task<int> InsertLogAsync(
        StoreConnection c, SqliteTransaction tx, Lease lease, string stream, string text, long nowMs, CancellationToken ct) =>
        c.Prepared(InsertLogSql, tx)
            .Bind("@JobId", lease.JobId)
            .Bind("@Attempt", lease.Attempt)
            .Bind("@Stream", stream)
            .Bind("@Text", text)
            .Bind("@Now", nowMs)
            .ExecuteNonQueryAsync(ct);

    private static string ClaimTransition()
    {
        string? running = null;
        foreach (var state in Enum.GetValues<JobState>())
        {
            if (JobStateMachine.IsClaimable(state))
            {
                running = JobStateMachine.Transition(state, JobState.Running).ToName();
            }
        }

        return running ?? throw new InvalidOperationException("The state machine has no claimable state.");
    }
}
