using Bulwark.Core.Manifests;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Manifests;

/// <summary>AUD-3: how long manifests (<c>BULWARK_RETENTION_MANIFESTS_DAYS</c>, 90) and replay bundles (<c>BULWARK_RETENTION_REPLAY_BUNDLES_DAYS</c>, 30) are kept.</summary>
public static class ManifestSettings
{
    public const int MaximumDays = 36_500;

    public static void Validate(BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.RetentionManifestsDays is < 1 or > MaximumDays)
        {
            throw new BulwarkSettingsException($"BULWARK_RETENTION_MANIFESTS_DAYS must be between 1 and {MaximumDays}.");
        }

        if (options.RetentionReplayBundlesDays is < 1 or > MaximumDays)
        {
            throw new BulwarkSettingsException($"BULWARK_RETENTION_REPLAY_BUNDLES_DAYS must be between 1 and {MaximumDays}.");
        }
    }

    /// <summary>What a sweep at <paramref name="now"/> removes.</summary>
    public static ManifestCutoffs CutoffsAt(BulwarkOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ManifestCutoffs(
            now - TimeSpan.FromDays(options.RetentionManifestsDays), now - TimeSpan.FromDays(options.RetentionReplayBundlesDays));
    }
}
