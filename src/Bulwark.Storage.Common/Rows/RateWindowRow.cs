using Bulwark.Core.RateLimits;

namespace Bulwark.Storage.Common.Rows;

/// <summary>
/// The parameters of a rate_windows take (NET-3's one upsert per request), and the parts of its SQL
/// both dialects write the same way. Each store keeps the statement itself: how it writes true and
/// the larger of two window starts differs. Every expression here reads the row as it was before the
/// statement (aliased <c>w</c>), and computes exactly <see cref="RateWindows.Estimate"/>.
/// </summary>
public sealed class RateWindowRow
{
    /// <summary>The columns of the insert, in the order of its values.</summary>
    public const string InsertColumns = "tenant_id, subject, bucket, window_start, hits, previous_hits, last_admitted";

    /// <summary>The previous window's count once the row is rolled to the window of now.</summary>
    public const string RolledPrevious =
        "CASE WHEN w.window_start >= @WindowStart THEN w.previous_hits "
        + "WHEN w.window_start = @WindowStart - @Width THEN w.hits ELSE 0 END";

    /// <summary>The current window's count once the row is rolled to the window of now.</summary>
    public const string RolledCurrent = "CASE WHEN w.window_start >= @WindowStart THEN w.hits ELSE 0 END";

    /// <summary>Whether the sliding estimate with this request stays within the limit.</summary>
    public const string Admits = "((" + RolledPrevious + ") * @Remaining / @Width + (" + RolledCurrent + ") < @Limit)";

    /// <summary>
    /// The SET items that roll the counts to the window of now, count the request only when admitted
    /// and keep whether it was, each followed by a comma: the store adds how window_start moves.
    /// </summary>
    public const string RollCounts =
        "previous_hits = " + RolledPrevious + ", "
        + "hits = (" + RolledCurrent + ") + CASE WHEN " + Admits + " THEN 1 ELSE 0 END, "
        + "last_admitted = " + Admits + ", ";

    public string TenantId { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Bucket { get; set; } = "";
    public long WindowStart { get; set; }
    public long Width { get; set; }
    public long Remaining { get; set; }
    public long Limit { get; set; }

    /// <summary>The parameters of the take; refuses a take without a subject or with a limit below one. The tenant comes from the caller's scope.</summary>
    public static RateWindowRow From(string tenantId, RateWindowTake take)
    {
        ArgumentNullException.ThrowIfNull(take);
        ArgumentException.ThrowIfNullOrEmpty(take.Subject);
        ArgumentOutOfRangeException.ThrowIfLessThan(take.Limit, 1);
        return new()
        {
            TenantId = tenantId,
            Subject = take.Subject,
            Bucket = take.Bucket,
            WindowStart = take.WindowStartMs,
            Width = take.WidthMs,
            Remaining = take.RemainingMs,
            Limit = take.Limit,
        };
    }
}
