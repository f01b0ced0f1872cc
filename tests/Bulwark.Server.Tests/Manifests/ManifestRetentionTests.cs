using Bulwark.Core.Manifests;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;
using Bulwark.Server.Tests.Cli;
using Bulwark.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.Manifests;

/// <summary>AUD-3 through the server's daily sweeper on a fake clock: bundles go after 30 days, manifests after 90.</summary>
public sealed class ManifestRetentionTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact] // AUD-3: BULWARK_RETENTION_REPLAY_BUNDLES_DAYS (30) and BULWARK_RETENTION_MANIFESTS_DAYS (90)
    public async Task The_sweeper_removes_bundles_after_their_window_and_manifests_after_theirs()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        var options = new BulwarkOptions { DataDir = _cli.DataDir };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var store = new SqliteStore(options.DatabasePath, AuditSettings.KeyFor(options));
        await store.MigrateAsync(Ct);
        var acme = TenantScope.Of((await store.FindTenantByNameAsync("acme", Ct))!);
        var now = clock.GetUtcNow();
        await store.SaveManifestAsync(acme, new StoredManifest(acme.TenantId, "job_1", 1, now, "{}"), new StoredReplayBundle(acme.TenantId, "job_1", now, "{}"), Ct);
        var sweeper = new RetentionSweeper(store, store, store, options, clock, NullLogger<RetentionSweeper>.Instance);

        clock.Advance(TimeSpan.FromDays(options.RetentionReplayBundlesDays + 1));
        await sweeper.SweepOnceAsync(Ct);

        Assert.Null(await store.FindReplayBundleAsync("job_1", Ct));
        Assert.NotNull(await store.FindManifestAsync(acme, "job_1", Ct));

        clock.Advance(TimeSpan.FromDays(options.RetentionManifestsDays - options.RetentionReplayBundlesDays));
        await sweeper.SweepOnceAsync(Ct);

        Assert.Null(await store.FindManifestAsync(acme, "job_1", Ct));
    }
}
