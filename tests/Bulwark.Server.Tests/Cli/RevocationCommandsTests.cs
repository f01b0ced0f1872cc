using Bulwark.Core.Identity;
using Bulwark.Storage.Sqlite;

namespace Bulwark.Server.Tests.Cli;

/// <summary><c>bulwark tokens revoke</c>, <c>tenants suspend|resume</c> and <c>keys revoke</c> (AUTH-5, TEN-4, FLAG-4).</summary>
public sealed class RevocationCommandsTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<IReadOnlyList<Core.Identity.Revocation>> StoredRevocationsAsync()
    {
        await using var store = new SqliteStore(Path.Combine(_cli.DataDir, "bulwark.db"));
        return await store.ListRevocationsAsync(DateTimeOffset.UtcNow, Ct);
    }

    [Fact]
    public async Task Tokens_revoke_jti_records_a_revocation_in_every_tenant_when_no_tenant_is_named_AUTH_5()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);

        var run = await _cli.OperatorAsync("tokens", "revoke", "--jti", "tok-1");

        Assert.True(run.ExitCode == 0, run.ToString());
        var stored = Assert.Single(await StoredRevocationsAsync());
        Assert.Equal((RevocationKind.Jti, null, "tok-1", "operator"), (stored.Kind, stored.TenantId, stored.Value, stored.Actor));
    }

    [Fact]
    public async Task Tokens_revoke_subject_records_a_revocation_in_the_named_tenant_AUTH_5()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);

        var run = await _cli.OperatorAsync("tokens", "revoke", "--subject", "alice", "--tenant", "acme", "--reason", "left");

        Assert.True(run.ExitCode == 0, run.ToString());
        var stored = Assert.Single(await StoredRevocationsAsync());
        Assert.Equal(RevocationKind.Subject, stored.Kind);
        Assert.Equal("alice", stored.Value);
        Assert.Equal("left", stored.Reason);
        Assert.NotNull(stored.TenantId);
    }

    [Theory]
    [InlineData("tokens", "revoke")]
    [InlineData("tokens", "revoke", "--subject", "alice")]
    [InlineData("tokens", "revoke", "--jti", "a", "--subject", "b", "--tenant", "acme")]
    public async Task Tokens_revoke_is_a_usage_error_when_it_does_not_name_one_credential_properly_AUTH_5(params string[] args)
    {
        var run = await _cli.OperatorAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.NotEmpty(run.Stderr);
    }

    [Fact]
    public async Task Tokens_revoke_subject_fails_in_one_sentence_when_the_tenant_is_unknown_AUTH_5()
    {
        var run = await _cli.OperatorAsync("tokens", "revoke", "--subject", "alice", "--tenant", "nobody");

        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.Contains("nobody", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenants_suspend_and_resume_flip_the_tenant_and_fail_for_an_unknown_one_TEN_4()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);

        var suspended = await _cli.OperatorAsync("tenants", "suspend", "acme");
        Assert.True(suspended.ExitCode == 0, suspended.ToString());
        await using (var store = new SqliteStore(Path.Combine(_cli.DataDir, "bulwark.db")))
        {
            Assert.True((await store.FindTenantByNameAsync("acme", Ct))!.Suspended);
        }

        var resumed = await _cli.OperatorAsync("tenants", "resume", "acme");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        await using (var store = new SqliteStore(Path.Combine(_cli.DataDir, "bulwark.db")))
        {
            Assert.False((await store.FindTenantByNameAsync("acme", Ct))!.Suspended);
        }

        var unknown = await _cli.OperatorAsync("tenants", "suspend", "nobody");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Single(unknown.StderrLines);
    }

    [Fact]
    public async Task Keys_revoke_also_records_a_key_revocation_for_every_nodes_cache_AUTH_5()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        var created = await _cli.OperatorAsync("keys", "create", "--tenant", "acme", "--scopes", "jobs:read");
        var id = Assert.Single(created.StdoutLines, l => l.StartsWith("id: ", StringComparison.Ordinal))["id: ".Length..];

        var run = await _cli.OperatorAsync("keys", "revoke", id);

        Assert.True(run.ExitCode == 0, run.ToString());
        var stored = Assert.Single(await StoredRevocationsAsync());
        Assert.Equal((RevocationKind.Key, id), (stored.Kind, stored.Value));
    }
}
