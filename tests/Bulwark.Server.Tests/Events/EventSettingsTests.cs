using Bulwark.Server.Hosting;

namespace Bulwark.Server.Tests.Events;

/// <summary>AUD-3: the events' retention window is a setting of its own, 90 days unless set.</summary>
public sealed class EventSettingsTests
{
    [Fact] // AUD-3
    public void Events_are_kept_90_days_unless_configured()
    {
        Assert.Equal(90, BulwarkConfiguration.Load(new Dictionary<string, string?>()).RetentionEventsDays);
        Assert.Equal(30, BulwarkConfiguration.Load(new Dictionary<string, string?> { ["BULWARK_RETENTION_EVENTS_DAYS"] = "30" }).RetentionEventsDays);
    }

    [Theory] // AUD-3: a window of nothing (or of centuries) is a mistake, refused at start
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("36501")]
    public void A_retention_window_out_of_range_is_refused(string days)
    {
        var refused = Assert.Throws<BulwarkSettingsException>(() =>
            BulwarkConfiguration.Load(new Dictionary<string, string?> { ["BULWARK_RETENTION_EVENTS_DAYS"] = days }));
        Assert.Contains("BULWARK_RETENTION_EVENTS_DAYS", refused.Message, StringComparison.Ordinal);
    }
}
