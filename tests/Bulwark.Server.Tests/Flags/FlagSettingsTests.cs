using Bulwark.Core.Flags;
using Bulwark.Server.Flags;
using Bulwark.Server.Hosting;
using Bulwark.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Server.Tests.Flags;

/// <summary>The flag settings (FLAG-1, FLAG-2) and the node's fail-safe when the store cannot be read.</summary>
public sealed class FlagSettingsTests : IAsyncDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bulwark-flags-" + Guid.NewGuid().ToString("N"));

    [Theory] // FLAG-2: the refresh bound is 1 to 60 seconds
    [InlineData("0")]
    [InlineData("61")]
    public void A_refresh_period_outside_1_to_60_seconds_is_refused(string seconds)
    {
        var e = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_FLAGS_REFRESH_SECONDS"] = seconds,
        }));

        Assert.Contains("BULWARK_FLAGS_REFRESH_SECONDS", e.Message, StringComparison.Ordinal);
    }

    [Fact] // FLAG-2: default 2 seconds
    public void The_refresh_period_defaults_to_2_seconds() =>
        Assert.Equal(2, BulwarkConfiguration.Load(new Dictionary<string, string?>()).FlagsRefreshSeconds);

    [Fact] // FLAG-1, NET-2: payload validation off is refused outside development
    public void Security_validation_off_is_refused_unless_env_is_dev()
    {
        var e = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_SECURITY_VALIDATION_ENABLED"] = "0",
            ["BULWARK_ENV"] = "prod",
        }));
        Assert.Contains("BULWARK_SECURITY_VALIDATION_ENABLED=0", e.Message, StringComparison.Ordinal);

        var dev = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_SECURITY_VALIDATION_ENABLED"] = "0",
            ["BULWARK_ENV"] = "dev",
        });
        Assert.False(dev.SecurityValidationEnabled);
    }

    [Fact] // FLAG-2: a store that cannot be read keeps the last values for a while, then every flag takes its safe value
    public async Task After_three_missed_refreshes_features_are_off_and_guards_on()
    {
        Directory.CreateDirectory(_dir);
        var options = new BulwarkOptions { DataDir = _dir, EventsEnabled = true, RequirePolicyTokens = false };
        var store = new SqliteStore(Path.Combine(_dir, "bulwark.db"));
        await store.MigrateAsync(CancellationToken.None);
        var state = new FlagState(options, store, NullLogger<FlagState>.Instance);
        await state.LoadAsync(CancellationToken.None);
        Assert.True(state.IsOn(FeatureFlags.Events));

        // A real store that no longer answers.
        await store.DisposeAsync();
        for (var missed = 1; missed < FlagState.MissedRefreshesBeforeSafe; missed++)
        {
            await state.RefreshAsync(CancellationToken.None);
            Assert.True(state.IsOn(FeatureFlags.Events, "ten_any"));
        }

        await state.RefreshAsync(CancellationToken.None);

        Assert.True(state.FailingSafe);
        Assert.False(state.IsOn(FeatureFlags.Events));
        Assert.False(state.IsOn(FeatureFlags.Events, "ten_any"));
        Assert.True(state.IsOn(FeatureFlags.RequirePolicyTokens));
        Assert.True(state.IsOn(FeatureFlags.SecurityValidation, "ten_any"));
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp dir (or never created).
        }

        return ValueTask.CompletedTask;
    }
}
