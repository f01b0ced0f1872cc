using Bulwark.Core.Audit;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;
using Bulwark.Server.Tests.Cli;
using Bulwark.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.Operations;

/// <summary>
/// AUD-3 through the server's sweeper and the operator's verify: on a fake clock a year and more
/// later, expired entries are gone behind checkpoints, <c>bulwark audit verify</c> still exits 0,
/// and a raw DELETE on the real file is still refused.
/// </summary>
public sealed class RetentionSweeperTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_sweep_a_year_later_removes_expired_entries_and_verify_still_exits_0()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        var options = new BulwarkOptions { DataDir = _cli.DataDir };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var store = new SqliteStore(options.DatabasePath, AuditSettings.KeyFor(options));
        await store.MigrateAsync(Ct);
        var old = (await store.ReadAuditChainsAsync(new AuditChainRead(), Ct)).Count;
        clock.Advance(TimeSpan.FromDays(options.RetentionAuditDays + 1));
        var sweeper = new RetentionSweeper(store, store, store, options, clock, NullLogger<RetentionSweeper>.Instance);

        var sweep = await sweeper.SweepOnceAsync(Ct);

        Assert.Equal(old, sweep!.AuditEntriesRemoved);
        var left = await store.ReadAuditChainsAsync(new AuditChainRead(), Ct);
        Assert.All(left, e => Assert.Equal(AuditCheckpoint.Action, e.Entry.Action));
        var verify = await _cli.OperatorAsync("audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());

        await using var raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = options.DatabasePath, Pooling = false }.ToString());
        await raw.OpenAsync();
        await using var delete = raw.CreateCommand();
        delete.CommandText = "DELETE FROM audit_log";
        await Assert.ThrowsAsync<SqliteException>(() => delete.ExecuteNonQueryAsync());
    }

    [Fact] // AUD-3: per tenant: a tenant configured to keep its audit log two years keeps it past the node-wide year
    public async Task A_tenant_with_its_own_window_keeps_its_entries_while_the_others_are_cut()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "keeper")).ExitCode);
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_DATA_DIR"] = _cli.DataDir,
            ["BULWARK_RETENTION_AUDIT_DAYS_KEEPER"] = "730",
        });
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var store = new SqliteStore(options.DatabasePath, AuditSettings.KeyFor(options));
        await store.MigrateAsync(Ct);
        var keeper = (await store.FindTenantByNameAsync("keeper", Ct))!;
        var acme = (await store.FindTenantByNameAsync("acme", Ct))!;
        await store.AppendAuditAsync(Entry(keeper.Id, "kept", clock), Ct);
        await store.AppendAuditAsync(Entry(acme.Id, "expired", clock), Ct);
        clock.Advance(TimeSpan.FromDays(366));
        var sweeper = new RetentionSweeper(store, store, store, options, clock, NullLogger<RetentionSweeper>.Instance);

        await sweeper.SweepOnceAsync(Ct);

        var left = (await store.ReadAuditChainsAsync(new AuditChainRead(), Ct)).Select(e => e.Entry.Action).ToList();
        Assert.Contains("kept", left);
        Assert.DoesNotContain("expired", left);
        var verify = await _cli.OperatorAsync("audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());

        clock.Advance(TimeSpan.FromDays(365));
        await sweeper.SweepOnceAsync(Ct);

        Assert.DoesNotContain("kept", (await store.ReadAuditChainsAsync(new AuditChainRead(), Ct)).Select(e => e.Entry.Action));
    }

    private static AuditEntry Entry(string tenantId, string action, TimeProvider clock) => new()
    {
        At = clock.GetUtcNow(),
        TenantId = tenantId,
        Actor = "user:alice",
        Action = action,
        Target = "t",
        Outcome = "success",
    };
}
