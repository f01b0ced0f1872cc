using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Storage.Sqlite.Rows;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// Jobs, worker side: claim, heartbeat, complete, reap. Cross-tenant by design (workers serve
// every tenant); every write here is fenced by (job id, attempt, lease token) (JOB-3).
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

    // One statement picks the due jobs in claim order and takes them; RETURNING hands back the
    // new lease without a second read. Rows come back in no particular order (sorted in code).
    private const string ClaimSql =
        "UPDATE jobs SET state = @Running, attempts = attempts + 1, lease_token = lower(hex(randomblob(16))), "
        + "lease_expires_at = @Expires, worker_id = @Worker, started_at = coalesce(started_at, @Now) "
        + "WHERE id IN (SELECT id FROM jobs WHERE " + ClaimableWhere + " AND run_at <= @Now "
        + "ORDER BY priority DESC, run_at ASC, id ASC LIMIT @Max) "
        + "RETURNING " + JobRow.Columns;

    private const string InsertAttemptsSql =
        "INSERT INTO attempts (job_id, attempt, tenant_id, worker_id, started_at) "
        + "SELECT id, attempts, tenant_id, worker_id, @Now FROM jobs WHERE id IN @Ids";

    // The fence (JOB-3): the same job, the same attempt, the same token, still running, and the
    // lease not expired at 'now' (expired means lease_expires_at < now, as for the reaper).
    private const string FenceWhere =
        "id = @JobId AND attempts = @Attempt AND lease_token = @Token AND state = 'running' AND lease_expires_at >= @Now";

    private const string CompleteSql =
        "UPDATE jobs SET state = @State, result_json = @ResultJson, error = @Error, error_code = @ErrorCode, "
        + "finished_at = @FinishedAt, run_at = coalesce(@RetryAt, run_at), "
        + "lease_token = NULL, lease_expires_at = NULL, worker_id = NULL WHERE id = @JobId; "
        + "UPDATE attempts SET finished_at = @Now, outcome = @State, exit_code = @ExitCode, error = @Error, "
        + "error_code = @ErrorCode WHERE job_id = @JobId AND attempt = @Attempt;";

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
        + "RETURNING id AS Id, attempts AS Attempt, state AS State";

    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(
        string workerId, int max, TimeSpan lease, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        if (max <= 0)
        {
            return [];
        }

        var nowMs = UnixMs.From(now);
        var parameters = new
        {
            Running = RunningName,
            Now = nowMs,
            Expires = UnixMs.From(now + lease),
            Worker = workerId,
            Max = Math.Min(max, MaxClaimBatch),
        };

        // One write transaction for the whole batch: the claim, and the attempt rows.
        var rows = await WriteAsync(
            async (c, tx) =>
            {
                var claimed = (await c.QueryAsync<JobRow>(ClaimSql, parameters, tx)).AsList();
                if (claimed.Count > 0)
                {
                    var ids = new string[claimed.Count];
                    for (var i = 0; i < ids.Length; i++)
                    {
                        ids[i] = claimed[i].Id;
                    }

                    await c.ExecuteAsync(InsertAttemptsSql, new { Now = nowMs, Ids = ids }, tx);
                }

                return claimed;
            },
            ct);

        if (rows.Count == 0)
        {
            return [];
        }

        rows.Sort(static (a, b) =>
        {
            var byPriority = b.Priority.CompareTo(a.Priority);
            if (byPriority != 0)
            {
                return byPriority;
            }

            var byRunAt = a.RunAt.CompareTo(b.RunAt);
            return byRunAt != 0 ? byRunAt : string.CompareOrdinal(a.Id, b.Id);
        });

        // Outside the write lock: templates are immutable, and usually already cached.
        var templates = await ReadAsync(c => LoadTemplatesAsync(c, rows.Select(r => r.TemplateId)), ct);
        var result = new ClaimedJob[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var job = row.ToJob();
            result[i] = new ClaimedJob(
                job,
                new Lease(job.Id, job.Attempts, row.LeaseToken!),
                UnixMs.To(row.LeaseExpiresAt!.Value),
                templates[row.TemplateId]);
        }

        return result;
    }

    public async Task<bool> HeartbeatAsync(Lease lease, TimeSpan extension, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(extension, TimeSpan.Zero);
        var cancelRequested = await WriteAsync(
            (c, tx) => c.QuerySingleOrDefaultAsync<long?>(
                $"UPDATE jobs SET lease_expires_at = @Expires WHERE {FenceWhere} RETURNING cancel_requested",
                new
                {
                    lease.JobId,
                    lease.Attempt,
                    lease.Token,
                    Now = UnixMs.From(now),
                    Expires = UnixMs.From(now + extension),
                },
                tx),
            ct);
        return cancelRequested switch
        {
            null => throw LeaseLost(lease),
            var v => v != 0,
        };
    }

    public Task CompleteAsync(Lease lease, Completion completion, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(completion);

        // A fenced job is running, so the transition is from Running; checked before any write.
        var requested = JobStateMachine.Transition(JobState.Running, completion.NextState);
        var nowMs = UnixMs.From(now);
        return WriteAsync(
            async (c, tx) =>
            {
                var cancelRequested = await c.QuerySingleOrDefaultAsync<long?>(
                    $"SELECT cancel_requested FROM jobs WHERE {FenceWhere}",
                    new { lease.JobId, lease.Attempt, lease.Token, Now = nowMs },
                    tx);
                if (cancelRequested is null)
                {
                    throw LeaseLost(lease);
                }

                // A user cancelled while the attempt ran and the attempt then failed retryably:
                // honour the cancel. A retrying job with cancel_requested set would never be
                // claimed again, nor reaped, and would wait forever.
                var next = requested == JobState.Retrying && cancelRequested != 0
                    ? JobStateMachine.Transition(JobState.Running, JobState.Cancelled)
                    : requested;
                var stateName = next.ToName();
                await c.ExecuteAsync(
                    CompleteSql,
                    new
                    {
                        lease.JobId,
                        lease.Attempt,
                        State = stateName,
                        completion.ResultJson,
                        completion.Error,
                        completion.ErrorCode,
                        completion.ExitCode,
                        FinishedAt = JobStateMachine.IsTerminal(next) ? nowMs : (long?)null,
                        RetryAt = next == JobState.Retrying ? UnixMs.From(completion.RetryAt ?? now) : (long?)null,
                        Now = nowMs,
                    },
                    tx);

                if (completion.Stdout.Length > 0)
                {
                    await c.ExecuteAsync(
                        InsertLogSql,
                        new { lease.JobId, lease.Attempt, Stream = "stdout", Text = completion.Stdout, Now = nowMs },
                        tx);
                }

                if (completion.Stderr.Length > 0)
                {
                    await c.ExecuteAsync(
                        InsertLogSql,
                        new { lease.JobId, lease.Attempt, Stream = "stderr", Text = completion.Stderr, Now = nowMs },
                        tx);
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
                var reaped = (await c.QueryAsync<ReapedRow>(
                    ReapSql,
                    new
                    {
                        Cancelled = ReapCancelledName,
                        Retrying = ReapRetryingName,
                        Dead = ReapDeadName,
                        Now = nowMs,
                        Error = LeaseExpiredError,
                        ErrorCode = LeaseExpiredCode,
                    },
                    tx)).AsList();
                if (reaped.Count > 0)
                {
                    // The attempt ended because its worker vanished, whatever became of the job.
                    await c.ExecuteAsync(
                        "UPDATE attempts SET finished_at = @Now, outcome = @State, error = @Error, error_code = @ErrorCode "
                        + "WHERE job_id = @Id AND attempt = @Attempt",
                        reaped.Select(r => new
                        {
                            r.Id,
                            r.Attempt,
                            r.State,
                            Now = nowMs,
                            Error = LeaseExpiredError,
                            ErrorCode = LeaseExpiredCode,
                        }),
                        tx);
                }

                return reaped.Count;
            },
            ct);
    }

    public Task<DateTimeOffset?> NextDueAtAsync(CancellationToken ct) =>
        ReadAsync(
            async c => UnixMs.To(await c.ExecuteScalarAsync<long?>($"SELECT min(run_at) FROM jobs WHERE {ClaimableWhere}")),
            ct);

    private static ConflictException LeaseLost(Lease lease) =>
        new($"The lease on job '{lease.JobId}' attempt {lease.Attempt} is no longer held; the write was refused.", "lease_lost");

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
