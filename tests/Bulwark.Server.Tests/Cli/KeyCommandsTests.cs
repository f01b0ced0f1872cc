using System.Text;
using System.Text.RegularExpressions;

namespace Bulwark.Server.Tests.Cli;

/// <summary><c>bulwark keys …</c>: a key is shown once and stored only as a hash (AUTH-2).</summary>
public sealed partial class KeyCommandsTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [GeneratedRegex("^bwk_[0-9a-f]{16}_[A-Za-z0-9_-]{32,}$")]
    private static partial Regex KeyShape();

    private async Task<(string Id, string Plaintext)> CreateKeyAsync(params string[] extra)
    {
        var created = await _cli.OperatorAsync(["keys", "create", "--tenant", "acme", "--scopes", "jobs:read,jobs:write,demo:run", .. extra]);
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = Assert.Single(created.StdoutLines, l => l.StartsWith("id: ", StringComparison.Ordinal))["id: ".Length..];
        return (id, created.StdoutLines[^1]);
    }

    [Fact]
    public async Task Keys_create_prints_the_key_alone_on_the_last_line_AUTH_2()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);

        var created = await _cli.OperatorAsync("keys", "create", "--tenant", "acme", "--scopes", "jobs:read, jobs:write", "--name", "ci");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Matches(KeyShape(), created.StdoutLines[^1]);
        Assert.Equal(created.StdoutLines[^1], created.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.Contains("tenant: acme", created.StdoutLines);
        Assert.Contains("scopes: jobs:read,jobs:write", created.StdoutLines);
        Assert.Contains("name: ci", created.StdoutLines);
        Assert.Contains("expires: never", created.StdoutLines);
        // Nothing before the last line may carry the secret: only the last line is meant to be captured.
        var secret = created.StdoutLines[^1].Split('_', 3)[2];
        Assert.All(created.StdoutLines[..^1], l => Assert.DoesNotContain(secret, l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keys_list_never_shows_the_key_and_the_database_never_holds_it_AUTH_2()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        var (id, plaintext) = await CreateKeyAsync();
        var secret = plaintext.Split('_', 3)[2];

        var listed = await _cli.OperatorAsync("keys", "list", "--tenant", "acme");

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Equal("ID  NAME  SCOPES  CREATED  EXPIRES  REVOKED", string.Join("  ", listed.StdoutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        var row = Assert.Single(listed.StdoutLines, l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Contains("jobs:read,jobs:write,demo:run", row, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed.Stdout, StringComparison.Ordinal);

        var stored = _cli.StoredBytes();
        Assert.NotEmpty(stored);
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(plaintext)));
    }

    [Fact]
    public async Task Keys_create_with_expires_records_the_expiry_AUTH_2()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);

        var created = await _cli.OperatorAsync("keys", "create", "--tenant", "acme", "--scopes", "jobs:read", "--expires", "30d");

        Assert.True(created.ExitCode == 0, created.ToString());
        var expires = Assert.Single(created.StdoutLines, l => l.StartsWith("expires: ", StringComparison.Ordinal))["expires: ".Length..];
        var at = DateTimeOffset.Parse(expires, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(at, DateTimeOffset.UtcNow.AddDays(30).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30).AddMinutes(5));
    }

    [Theory]
    [InlineData("30")]
    [InlineData("3w")]
    [InlineData("-1d")]
    [InlineData("0h")]
    public async Task Keys_create_is_a_usage_error_when_expires_is_not_a_duration_AUTH_2(string expires)
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);

        var created = await _cli.OperatorAsync("keys", "create", "--tenant", "acme", "--scopes", "jobs:read", "--expires", expires);

        Assert.Equal(2, created.ExitCode);
        Assert.Empty(created.Stdout);
        Assert.Single(created.StderrLines);
        Assert.Equal(["ID  NAME  SCOPES  CREATED  EXPIRES  REVOKED"], (await _cli.OperatorAsync("keys", "list", "--tenant", "acme")).StdoutLines);
    }

    [Fact]
    public async Task Keys_create_fails_with_one_sentence_when_the_tenant_does_not_exist_TEN_3()
    {
        var created = await _cli.OperatorAsync("keys", "create", "--tenant", "ghost", "--scopes", "jobs:read");

        Assert.Equal(1, created.ExitCode);
        Assert.Empty(created.Stdout);
        Assert.Contains("ghost", Assert.Single(created.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_create_fails_with_one_sentence_when_a_scope_is_malformed_AUTH_2()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);

        var created = await _cli.OperatorAsync("keys", "create", "--tenant", "acme", "--scopes", "jobs:read,not a scope");

        Assert.Equal(1, created.ExitCode);
        Assert.Empty(created.Stdout);
        Assert.Single(created.StderrLines);
    }

    [Fact]
    public async Task Keys_revoke_marks_the_key_revoked_and_a_second_revoke_fails_AUTH_5()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        var (id, _) = await CreateKeyAsync();

        var revoked = await _cli.OperatorAsync("keys", "revoke", id);

        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Equal($"Revoked key {id}.", Assert.Single(revoked.StdoutLines));
        var row = Assert.Single((await _cli.OperatorAsync("keys", "list", "--tenant", "acme")).StdoutLines, l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.False(row.EndsWith(" -", StringComparison.Ordinal), row);

        var again = await _cli.OperatorAsync("keys", "revoke", id);

        Assert.Equal(1, again.ExitCode);
        Assert.Single(again.StderrLines);
    }
}
