using Bulwark.Core.Tenancy;
using Bulwark.Core.Tokens;
using Bulwark.Server.Tests.Cli;

namespace Bulwark.Server.Tests.Policy;

/// <summary><c>bulwark tokens policy</c> (AUTHZ-3, AUD-1): mints from the configured secret, for an existing tenant, audited.</summary>
public sealed class PolicyTokenCommandTests : IDisposable
{
    private const string Secret = PolicyServer.Secret;
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Tokens_policy_prints_the_token_alone_on_the_last_line_and_audits_the_issue()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        _cli.Environment["BULWARK_POLICY_TOKEN_SECRET"] = Secret;

        var run = await _cli.OperatorAsync("tokens", "policy", "--tenant", "acme", "--actor", "alice", "--action", "ops.apply", "--scopes", "ops:write, ops:read", "--ttl", "2h");

        Assert.True(run.ExitCode == 0, run.ToString());
        var token = run.StdoutLines[^1];
        Assert.Equal(PolicyTokenCheck.Valid, PolicyToken.Check(new PolicyTokenSecrets(Secret), token, DateTimeOffset.UtcNow, out var claims));
        Assert.Equal(("acme", "alice", "ops.apply"), (claims!.Tenant, claims.Actor, claims.Action));
        Assert.Equal(["ops:write", "ops:read"], claims.Scopes);
        Assert.InRange(claims.ExpiresAt - claims.IssuedAt, TimeSpan.FromHours(2), TimeSpan.FromHours(2));
        Assert.Single(run.StdoutLines, l => l.Contains(token, StringComparison.Ordinal));

        await using var store = new Bulwark.Storage.Sqlite.SqliteStore(Path.Combine(_cli.DataDir, "bulwark.db"));
        var tenant = (await store.FindTenantByNameAsync("acme", CancellationToken.None))!;
        var audit = await store.ListAuditAsync(TenantScope.Of(tenant), 100, CancellationToken.None);
        var issued = Assert.Single(audit, e => e.Action == "policy_token.issue");
        Assert.Equal(("operator", claims.TokenId, "success"), (issued.Actor, issued.Target, issued.Outcome));
        Assert.DoesNotContain(token.Split('.')[2], issued.DetailJson, StringComparison.Ordinal);
    }

    [Fact] // AUTHZ-4
    public async Task Tokens_policy_fails_naming_the_secret_when_it_is_missing_or_short()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        string[] args = ["tokens", "policy", "--tenant", "acme", "--actor", "alice", "--action", "ops.apply", "--scopes", "ops:write"];

        var missing = await _cli.OperatorAsync(args);
        _cli.Environment["BULWARK_POLICY_TOKEN_SECRET"] = "short";
        var shortSecret = await _cli.OperatorAsync(args);

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("BULWARK_POLICY_TOKEN_SECRET", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, shortSecret.ExitCode);
        Assert.Contains("BULWARK_POLICY_TOKEN_SECRET", shortSecret.Stderr, StringComparison.Ordinal);
        Assert.Empty(missing.Stdout + shortSecret.Stdout);
    }

    [Theory]
    [InlineData("nobody", "ops.apply", "ops:write", "1h")] // unknown tenant
    [InlineData("acme", "ops apply!", "ops:write", "1h")] // not a template key
    [InlineData("acme", "ops.apply", "not a scope", "1h")]
    [InlineData("acme", "ops.apply", "ops:write", "25h")] // beyond the 24 h maximum
    public async Task Tokens_policy_fails_and_prints_no_token_when_an_argument_is_wrong(string tenant, string action, string scopes, string ttl)
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        _cli.Environment["BULWARK_POLICY_TOKEN_SECRET"] = Secret;

        var run = await _cli.OperatorAsync("tokens", "policy", "--tenant", tenant, "--actor", "alice", "--action", action, "--scopes", scopes, "--ttl", ttl);

        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("bwp1.", run.Stdout, StringComparison.Ordinal);
        Assert.Single(run.StderrLines);
    }
}
