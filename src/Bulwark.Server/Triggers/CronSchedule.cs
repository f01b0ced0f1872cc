using Bulwark.Core.Errors;
using Cronos;

namespace Bulwark.Server.Triggers;

/// <summary>
/// A cron trigger's schedule (JOB-9): a standard 5-field expression (minute hour day-of-month month
/// day-of-week; no seconds field) read in an IANA time zone. Cronos resolves daylight-saving
/// changes: a time that does not exist in the zone (spring forward) fires at the first instant after
/// the gap, and a time that happens twice (fall back) fires once, at its first instance.
/// </summary>
internal sealed class CronSchedule
{
    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        _zone = zone;
    }

    /// <summary>Throws <c>invalid_cron</c> or <c>invalid_time_zone</c> (400) for what cannot be read.</summary>
    public static CronSchedule Parse(string cron, string timeZone)
    {
        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(cron, CronFormat.Standard);
        }
        catch (CronFormatException)
        {
            throw new InvalidPayloadException(
                "The field 'cron' must be a 5-field cron expression (minute hour day-of-month month day-of-week).", "invalid_cron");
        }

        return new CronSchedule(expression, Zone(timeZone));
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>; null when there is none (e.g. 30 February).</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after.UtcDateTime, _zone) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    /// <summary>Occurrences from <paramref name="from"/> (inclusive) to <paramref name="to"/> (inclusive), at most <paramref name="max"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Between(DateTimeOffset from, DateTimeOffset to, int max)
    {
        var list = new List<DateTimeOffset>();
        foreach (var occurrence in _expression.GetOccurrences(from.UtcDateTime, to.UtcDateTime, _zone, fromInclusive: true, toInclusive: true))
        {
            list.Add(new DateTimeOffset(occurrence, TimeSpan.Zero));
            if (list.Count >= max)
            {
                break;
            }
        }

        return list;
    }

    private static TimeZoneInfo Zone(string timeZone)
    {
        // IANA names only ("Europe/Paris", "UTC"); no Windows names, no offsets, nothing read from a path.
        if (timeZone.Length is 0 or > 64 || timeZone.Contains("..", StringComparison.Ordinal)
            || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
        {
            throw new InvalidPayloadException("The field 'time_zone' must name a known IANA time zone, e.g. 'Europe/Paris' or 'UTC'.", "invalid_time_zone");
        }

        return zone;
    }
}
