using System.Data.Common;
using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Postgres.Rows;

/// <summary>A jobs row as selected with <see cref="Columns"/>, read by position (the queue's hot path skips Dapper).</summary>
internal sealed class JobRow
{
    /// <summary>The select list every job query uses; claim_jobs returns the same names in the same order.</summary>
    public const string Columns =
        "id, tenant_id, template_id, template_key, template_version, state, attempts, max_attempts, priority, "
        + "inputs_json, result_json, error, error_code, idempotency_key, run_at, created_at, started_at, finished_at, "
        + "cancel_requested, lease_token, lease_expires_at, worker_id, actor";

    /// <summary>How many columns <see cref="Columns"/> names; a claim's template columns follow them.</summary>
    public const int ColumnCount = 23;

    public string Id { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string TemplateId { get; init; } = "";
    public string TemplateKey { get; init; } = "";
    public int TemplateVersion { get; init; }
    public string State { get; init; } = "";
    public int Attempts { get; init; }
    public int MaxAttempts { get; init; }
    public int Priority { get; init; }
    public string InputsJson { get; init; } = "";
    public string? ResultJson { get; init; }
    public string? Error { get; init; }
    public string? ErrorCode { get; init; }
    public string? IdempotencyKey { get; init; }
    public long RunAt { get; init; }
    public long CreatedAt { get; init; }
    public long? StartedAt { get; init; }
    public long? FinishedAt { get; init; }
    public bool CancelRequested { get; init; }
    public string? LeaseToken { get; init; }
    public long? LeaseExpiresAt { get; init; }
    public string? WorkerId { get; init; }
    public string? Actor { get; init; }

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

    public static string? NullableString(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? NullableInt64(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
