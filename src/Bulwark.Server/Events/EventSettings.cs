using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;

namespace Bulwark.Server.Events;

/// <summary>AUD-3: how long events are kept (<c>BULWARK_RETENTION_EVENTS_DAYS</c>, 90 by default).</summary>
public static class EventSettings
{
    public static void Validate(BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.RetentionEventsDays is < 1 or > AuditSettings.MaximumDays)
        {
            throw new BulwarkSettingsException($"BULWARK_RETENTION_EVENTS_DAYS must be between 1 and {AuditSettings.MaximumDays}.");
        }
    }

    /// <summary>Events received before this are removed by a sweep at <paramref name="now"/>.</summary>
    public static DateTimeOffset CutoffAt(BulwarkOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        return now - TimeSpan.FromDays(options.RetentionEventsDays);
    }
}
