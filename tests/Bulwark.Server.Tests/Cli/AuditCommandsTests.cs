using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Bulwark.Server.Tests.Cli;

/// <summary>
/// <c>bulwark audit verify</c> and <c>audit export</c> (AUD-2, FLAG-4) and <c>tenants purge</c> (TEN-4)
/// on the real SQLite file, tampered with through a raw connection as an attacker with the file
/// (but not the key, which stays in audit.key beside it) would.
/// </summary>
public sealed class AuditCommandsTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private string DatabasePath => Path.Combine(_cli.DataDir, "bulwark.db");

    [Fact] // AUD-2
    public async Task Verify_exits_0_with_one_summary_line_when_every_chain_is_whole()
    {
        await SeedAsync();

        var run = await _cli.OperatorAsync("audit", "verify");

        Assert.True(run.ExitCode == 0, run.ToString());
        var line = Assert.Single(run.StdoutLines);
        Assert.StartsWith("Audit chain whole: ", line, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_cli.DataDir, SqliteStore.DefaultAuditKeyFile)));
    }

    public static TheoryData<string> Tampering => ["edit", "delete", "insert", "swap"];

    [Theory] // AUD-2: edit, deletion, insertion, reordering made directly in the database file
    [MemberData(nameof(Tampering))]
    public async Task Verify_exits_1_naming_the_first_bad_entry_after_tampering_with_the_file(string tampering)
    {
        await SeedAsync();
        var acme = (await EntriesAsync()).Where(e => e.Entry.TenantId is not null).GroupBy(e => e.Chain).First().ToList();
        Assert.True(acme.Count >= 3);
        var (second, third) = (acme[1], acme[2]);

        var bad = tampering switch
        {
            "edit" => await TamperAsync($"UPDATE audit_log SET target = 'forged' WHERE seq = {second.Entry.Sequence}", second),
            "delete" => await TamperAsync($"DELETE FROM audit_log WHERE seq = {second.Entry.Sequence}", third),
            "insert" => await TamperAsync(
                "INSERT INTO audit_log (at, tenant_id, actor, action, target, outcome, dry_run, chain, chain_seq, prev_hash, hash) "
                + $"SELECT at, tenant_id, actor, 'key.create', 'forged', outcome, dry_run, chain, chain_seq + 1, hash, randomblob(32) "
                + $"FROM audit_log WHERE seq = {acme[^1].Entry.Sequence}",
                null),
            _ => await TamperAsync(
                $"UPDATE audit_log SET action = CASE seq WHEN {second.Entry.Sequence} THEN '{third.Entry.Action}' ELSE '{second.Entry.Action}' END, "
                + $"target = CASE seq WHEN {second.Entry.Sequence} THEN '{third.Entry.Target}' ELSE '{second.Entry.Target}' END "
                + $"WHERE seq IN ({second.Entry.Sequence}, {third.Entry.Sequence})",
                second),
        };
        if (tampering == "insert")
        {
            var forged = (await EntriesAsync()).Single(e => e.Entry.Target == "forged");
            bad = $"chain {forged.Chain} entry {forged.ChainSeq} (seq {forged.Entry.Sequence})";
        }

        var run = await _cli.OperatorAsync("audit", "verify");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Empty(run.Stdout);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains("Audit chain broken at " + bad + ":", line, StringComparison.Ordinal);
    }

    [Fact] // FLAG-4: export --from --to, JSON lines with every field and the hashes
    public async Task Export_writes_the_window_as_json_lines_with_every_field_and_filters_by_tenant()
    {
        await SeedAsync();
        var stored = await EntriesAsync();

        var all = await _cli.OperatorAsync("audit", "export", "--from", "2000-01-01T00:00:00Z", "--to", "2100-01-01T00:00:00Z");
        var acme = await _cli.OperatorAsync("audit", "export", "--from", "2000-01-01T00:00:00Z", "--to", "2100-01-01T00:00:00Z", "--tenant", "acme");
        var none = await _cli.OperatorAsync("audit", "export", "--from", "2000-01-01T00:00:00Z", "--to", "2000-01-02T00:00:00Z");

        Assert.True(all.ExitCode == 0, all.ToString());
        var lines = all.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // The export is recorded before it reads, so its own record is its last line.
        Assert.Equal(stored.Select(e => e.Hash), lines.SkipLast(1).Select(l => l.GetProperty("hash").GetString()));
        Assert.Equal("audit.export", lines[^1].GetProperty("action").GetString());
        var first = lines[0];
        foreach (var field in new[] { "seq", "at", "tenant", "actor", "action", "target", "outcome", "request_id", "trace_id", "latency_ms", "dry_run", "detail", "chain", "chain_seq", "prev_hash", "hash" })
        {
            Assert.True(first.TryGetProperty(field, out _), field);
        }

        Assert.True(acme.ExitCode == 0, acme.ToString());
        var acmeChains = acme.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("chain").GetString()).Distinct().ToList();
        Assert.Single(acmeChains);
        Assert.NotEqual(AuditChain.SystemChain, acmeChains[0]);
        Assert.True(none.ExitCode == 0 && none.StdoutLines.Length == 0, none.ToString());
    }

    [Fact] // TEN-4: without --yes nothing happens
    public async Task Purge_without_yes_refuses_in_one_sentence_and_deletes_nothing()
    {
        await SeedAsync();
        var before = await RowCountsAsync();

        var run = await _cli.OperatorAsync("tenants", "purge", "acme");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--yes", Assert.Single(run.StderrLines), StringComparison.Ordinal);
        Assert.Equal(before, await RowCountsAsync());
    }

    [Fact] // TEN-4: right to deletion; the tables are the file's own list, not a hand-kept one
    public async Task Purge_leaves_no_row_of_the_tenant_in_any_table_keeps_the_other_and_is_recorded_on_the_verified_system_chain()
    {
        await SeedAsync();
        var acmeId = await TenantIdAsync("acme");
        var otherId = await TenantIdAsync("other");
        var otherBefore = await RowsHoldingAsync(otherId);
        Assert.Contains(await RowsHoldingAsync(acmeId), r => r.StartsWith("audit_log.", StringComparison.Ordinal));

        var run = await _cli.OperatorAsync("tenants", "purge", "acme", "--yes");

        Assert.True(run.ExitCode == 0, run.ToString());
        var purge = (await EntriesAsync()).Single(e => e.Entry.Action == TenantPurge.Action);
        Assert.Equal((AuditChain.SystemChain, (string?)null, acmeId), (purge.Chain, purge.Entry.TenantId, purge.Entry.Target));
        Assert.Contains("\"jobs\":", purge.Entry.DetailJson, StringComparison.Ordinal);
        // The purge record names the purged tenant's id (its target) and nothing else of it survives.
        Assert.Equal(["audit_log.target"], await RowsHoldingAsync(acmeId));
        Assert.Equal(otherBefore, await RowsHoldingAsync(otherId));
        Assert.Equal(0, (await _cli.OperatorAsync("audit", "verify")).ExitCode);
        Assert.DoesNotContain("acme", (await _cli.OperatorAsync("tenants", "list")).Stdout, StringComparison.Ordinal);
    }

    /// <summary>Two tenants with keys, a template and a job each (the job submitted through the store), plus global rows.</summary>
    private async Task SeedAsync()
    {
        foreach (var tenant in new[] { "acme", "other" })
        {
            Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", tenant)).ExitCode);
            Assert.Equal(0, (await _cli.OperatorAsync("keys", "create", "--tenant", tenant, "--scopes", "jobs:write")).ExitCode);
            Assert.Equal(0, (await _cli.OperatorAsync("keys", "create", "--tenant", tenant, "--scopes", "jobs:read")).ExitCode);
            Assert.Equal(0, (await _cli.OperatorAsync("tokens", "revoke", "--subject", "alice", "--tenant", tenant)).ExitCode);
            var template = _cli.WriteFile(tenant + ".yaml", $"key: ops.scan\ntenant: {tenant}\nkind: script\ncommand: [\"/bin/true\"]\n");
            Assert.Equal(0, (await _cli.OperatorAsync("templates", "apply", template)).ExitCode);
            await SubmitAsync(tenant);
        }

        Assert.Equal(0, (await _cli.OperatorAsync("tokens", "revoke", "--jti", "everywhere")).ExitCode);
    }

    private async Task SubmitAsync(string tenantName)
    {
        await using var store = new SqliteStore(DatabasePath);
        var scope = Core.Tenancy.TenantScope.Of((await store.FindTenantByNameAsync(tenantName, Ct))!);
        var template = (await store.FindTemplateAsync(scope, "ops.scan", Ct))!;
        var now = DateTimeOffset.UtcNow;
        var job = new Core.Jobs.NewJob
        {
            Id = Core.Jobs.JobIds.New(TimeProvider.System),
            Template = template,
            InputsJson = "{}",
            MaxAttempts = 1,
            RunAt = now,
            CreatedAt = now,
            Actor = "user:alice",
        };
        await store.EnqueueAsync(scope, job, new AuditEntry
        {
            At = now, TenantId = scope.TenantId, Actor = "user:alice", Action = "job.submit", Target = job.Id, Outcome = "success",
        }, Ct);
    }

    private async Task<IReadOnlyList<SealedAuditEntry>> EntriesAsync()
    {
        await using var store = new SqliteStore(DatabasePath);
        return await store.ReadAuditChainsAsync(new AuditChainRead { Limit = AuditChainRead.MaxLimit }, Ct);
    }

    private async Task<string> TenantIdAsync(string name)
    {
        await using var store = new SqliteStore(DatabasePath);
        return (await store.FindTenantByNameAsync(name, Ct))!.Id;
    }

    /// <summary>Runs the attacker's statement with the append-only triggers dropped; returns how verify must name <paramref name="bad"/>.</summary>
    private async Task<string> TamperAsync(string sql, SealedAuditEntry? bad)
    {
        await using var connection = await OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; " + sql;
        await command.ExecuteNonQueryAsync();
        return bad is null ? "" : $"chain {bad.Chain} entry {bad.ChainSeq} (seq {bad.Entry.Sequence})";
    }

    /// <summary>"table.column" for every cell of every table of the file (sqlite_master) that holds exactly <paramref name="value"/>.</summary>
    private async Task<List<string>> RowsHoldingAsync(string value)
    {
        await using var connection = await OpenRawAsync();
        var found = new List<string>();
        foreach (var table in await ListAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
        {
            foreach (var column in await ListAsync(connection, $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid"))
            {
                await using var count = connection.CreateCommand();
                count.CommandText = $"SELECT count(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) = $value";
                count.Parameters.AddWithValue("$value", value);
                var n = (long)(await count.ExecuteScalarAsync())!;
                found.AddRange(Enumerable.Repeat($"{table}.{column}", (int)n));
            }
        }

        return found;
    }

    private async Task<Dictionary<string, long>> RowCountsAsync()
    {
        await using var connection = await OpenRawAsync();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in await ListAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM \"{table}\"";
            counts[table] = (long)(await count.ExecuteScalarAsync())!;
        }

        return counts;
    }

    private static async Task<List<string>> ListAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }

    private async Task<SqliteConnection> OpenRawAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }
}
