using System.Data.Common;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;

namespace Bulwark.Storage.Common.Rows;

/// <summary>
/// A jobs row as selected with <see cref="Columns"/>. The queue's hot path reads it by position
/// (<see cref="Read"/>, no Dapper); other reads may map it by the aliases. Flags and counters have
/// their domain types: a SQLite integer is converted as it is read.
/// </summary>
public sealed class JobRow
{
    /// <summary>The select list every job query uses, aliased to this type's properties, in <see cref="Read"/>'s order.</summary>
    public const string Columns =
        "id AS Id, tenant_id AS TenantId, template_id AS TemplateId, template_key AS TemplateKey, "
        + "template_version AS TemplateVersion, state AS State, attempts AS Attempts, max_attempts AS MaxAttempts, "
        + "priority AS Priority, inputs_json AS InputsJson, result_json AS ResultJson, error AS Error, "
        + "error_code AS ErrorCode, idempotency_key AS IdempotencyKey, run_at AS RunAt, created_at AS CreatedAt, "
        + "started_at AS StartedAt, finished_at AS FinishedAt, cancel_requested AS CancelRequested, "
        + "lease_token AS LeaseToken, lease_expires_at AS LeaseExpiresAt, worker_id AS WorkerId, actor AS Actor";

    /// <summary>How many columns <see cref="Columns"/> names; columns a query selects after them start here.</summary>
    public const int ColumnCount = 23;

    public string Id { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string TemplateId { get; set; } = "";
    public string TemplateKey { get; set; } = "";
    public int TemplateVersion { get; set; }
    public string State { get; set; } = "";
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; }
    public int Priority { get; set; }
    public string InputsJson { get; set; } = "";
    public string? ResultJson { get; set; }
    public string? Error { get; set; }
    public string? ErrorCode { get; set; }
    public string? IdempotencyKey { get; set; }
    public long RunAt { get; set; }
    public long CreatedAt { get; set; }
    public long? StartedAt { get; set; }
    public long? FinishedAt { get; set; }
    public bool CancelRequested { get; set; }
    public string? LeaseToken { get; set; }
    public long? LeaseExpiresAt { get; set; }
    public string? WorkerId { get; set; }
    public string? Actor { get; set; }

    /// <summary>
    /// Reads the current row of a reader over <see cref="Columns"/>, by position. GetInt32 and
    /// GetBoolean read a SQLite integer too (checked, and non-zero is true).
    /// </summary>
    public static JobRow Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        TenantId = reader.GetString(1),
        TemplateId = reader.GetString(2),
        TemplateKey = reader.GetString(3),
        TemplateVersion = reader.GetInt32(4),
        State = reader.GetString(5),
        Attempts = reader.GetInt32(6),
        MaxAttempts = reader.GetInt32(7),
        Priority = reader.GetInt32(8),
        InputsJson = reader.GetString(9),
        ResultJson = NullableString(reader, 10),
        Error = NullableString(reader, 11),
        ErrorCode = NullableString(reader, 12),
        IdempotencyKey = NullableString(reader, 13),
        RunAt = reader.GetInt64(14),
        CreatedAt = reader.GetInt64(15),
        StartedAt = NullableInt64(reader, 16),
        FinishedAt = NullableInt64(reader, 17),
        CancelRequested = reader.GetBoolean(18),
        LeaseToken = NullableString(reader, 19),
        LeaseExpiresAt = NullableInt64(reader, 20),
        WorkerId = NullableString(reader, 21),
        Actor = NullableString(reader, 22),
    };

    /// <summary>
    /// The order claims hand jobs out in: higher priority first, then due earlier, then older id.
    /// A claim's rows come back from the database in no particular order and are sorted with it.
    /// </summary>
    public static int ClaimOrder(JobRow a, JobRow b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var byPriority = b.Priority.CompareTo(a.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byRunAt = a.RunAt.CompareTo(b.RunAt);
        return byRunAt != 0 ? byRunAt : string.CompareOrdinal(a.Id, b.Id);
    }

    public static string? NullableString(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? NullableInt64(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public JobState ParsedState => JobStateNames.Parse(State);

    public Job ToJob() => new()
    {
        Id = Id,
        TenantId = TenantId,
        TemplateKey = TemplateKey,
        TemplateVersion = TemplateVersion,
        State = ParsedState,
        Attempts = Attempts,
        MaxAttempts = MaxAttempts,
        Priority = Priority,
        InputsJson = InputsJson,
        ResultJson = ResultJson,
        Error = Error,
        ErrorCode = ErrorCode,
        IdempotencyKey = IdempotencyKey,
        RunAt = UnixMs.To(RunAt),
        CreatedAt = UnixMs.To(CreatedAt),
        StartedAt = UnixMs.To(StartedAt),
        FinishedAt = UnixMs.To(FinishedAt),
        CancelRequested = CancelRequested,
        Actor = Actor,
    };

    /// <summary>A row a claim just took (it holds the new lease), with its template.</summary>
    public ClaimedJob ToClaimedJob(JobTemplate template)
    {
        var job = ToJob();
        return new ClaimedJob(
            job,
            new Lease(job.Id, job.Attempts, LeaseToken!),
            UnixMs.To(LeaseExpiresAt!.Value),
            template);
    }
}
