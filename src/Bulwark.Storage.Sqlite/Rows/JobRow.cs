using Bulwark.Core.Jobs;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite.Rows;

/// <summary>A jobs row as selected with <see cref="Columns"/>; SQLite integers arrive as long.</summary>
internal sealed class JobRow
{
    /// <summary>The select list every job query uses, aliased to this type's properties.</summary>
    public const string Columns =
        "id AS Id, tenant_id AS TenantId, template_id AS TemplateId, template_key AS TemplateKey, "
        + "template_version AS TemplateVersion, state AS State, attempts AS Attempts, max_attempts AS MaxAttempts, "
        + "priority AS Priority, inputs_json AS InputsJson, result_json AS ResultJson, error AS Error, "
        + "error_code AS ErrorCode, idempotency_key AS IdempotencyKey, run_at AS RunAt, created_at AS CreatedAt, "
        + "started_at AS StartedAt, finished_at AS FinishedAt, cancel_requested AS CancelRequested, "
        + "lease_token AS LeaseToken, lease_expires_at AS LeaseExpiresAt, worker_id AS WorkerId, actor AS Actor";

    public string Id { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string TemplateId { get; set; } = "";
    public string TemplateKey { get; set; } = "";
    public long TemplateVersion { get; set; }
    public string State { get; set; } = "";
    public long Attempts { get; set; }
    public long MaxAttempts { get; set; }
    public long Priority { get; set; }
    public string InputsJson { get; set; } = "";
    public string? ResultJson { get; set; }
    public string? Error { get; set; }
    public string? ErrorCode { get; set; }
    public string? IdempotencyKey { get; set; }
    public long RunAt { get; set; }
    public long CreatedAt { get; set; }
    public long? StartedAt { get; set; }
    public long? FinishedAt { get; set; }
    public long CancelRequested { get; set; }
    public string? LeaseToken { get; set; }
    public long? LeaseExpiresAt { get; set; }
    public string? WorkerId { get; set; }
    public string? Actor { get; set; }

    /// <summary>Reads the current row of a reader over <see cref="Columns"/>, by position (the hot path skips Dapper).</summary>
    public static JobRow Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        TenantId = reader.GetString(1),
        TemplateId = reader.GetString(2),
        TemplateKey = reader.GetString(3),
        TemplateVersion = reader.GetInt64(4),
        State = reader.GetString(5),
        Attempts = reader.GetInt64(6),
        MaxAttempts = reader.GetInt64(7),
        Priority = reader.GetInt64(8),
        InputsJson = reader.GetString(9),
        ResultJson = NullableString(reader, 10),
        Error = NullableString(reader, 11),
        ErrorCode = NullableString(reader, 12),
        IdempotencyKey = NullableString(reader, 13),
        RunAt = reader.GetInt64(14),
        CreatedAt = reader.GetInt64(15),
        StartedAt = NullableInt64(reader, 16),
        FinishedAt = NullableInt64(reader, 17),
        CancelRequested = reader.GetInt64(18),
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
        TemplateVersion = checked((int)TemplateVersion),
        State = ParsedState,
        Attempts = checked((int)Attempts),
        MaxAttempts = checked((int)MaxAttempts),
        Priority = checked((int)Priority),
        InputsJson = InputsJson,
        ResultJson = ResultJson,
        Error = Error,
        ErrorCode = ErrorCode,
        IdempotencyKey = IdempotencyKey,
        RunAt = UnixMs.To(RunAt),
        CreatedAt = UnixMs.To(CreatedAt),
        StartedAt = UnixMs.To(StartedAt),
        FinishedAt = UnixMs.To(FinishedAt),
        CancelRequested = CancelRequested != 0,
        Actor = Actor,
    };

    private static string? NullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static long? NullableInt64(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
