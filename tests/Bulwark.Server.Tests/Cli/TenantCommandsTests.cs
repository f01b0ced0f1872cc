namespace Bulwark.Server.Tests.Cli;

/// <summary><c>bulwark tenants …</c> straight against the store (TEN-3).</summary>
public sealed class TenantCommandsTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Tenants_create_prints_the_id_and_name_and_list_shows_the_tenant_TEN_3()
    {
        var created = await _cli.OperatorAsync("tenants", "create", "acme");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Empty(created.Stderr);
        var id = Assert.Single(created.StdoutLines, l => l.StartsWith("id: ", StringComparison.Ordinal))["id: ".Length..];
        Assert.StartsWith("ten_", id, StringComparison.Ordinal);
        Assert.Contains("name: acme", created.StdoutLines);

        var listed = await _cli.OperatorAsync("tenants", "list");

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.StartsWith("NAME", listed.StdoutLines[0], StringComparison.Ordinal);
        var row = Assert.Single(listed.StdoutLines, l => l.StartsWith("acme ", StringComparison.Ordinal));
        Assert.Contains(id, row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenants_create_fails_with_one_line_on_stderr_when_the_name_is_taken_TEN_3()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);

        var again = await _cli.OperatorAsync("tenants", "create", "acme");

        Assert.Equal(1, again.ExitCode);
        Assert.Empty(again.Stdout);
        var line = Assert.Single(again.StderrLines);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        var listed = await _cli.OperatorAsync("tenants", "list");
        Assert.Single(listed.StdoutLines, l => l.StartsWith("acme ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tenants_create_refuses_a_malformed_name_with_one_sentence_NET_2()
    {
        var bad = await _cli.OperatorAsync("tenants", "create", "no spaces/allowed");

        Assert.Equal(1, bad.ExitCode);
        Assert.Single(bad.StderrLines);
        Assert.Equal(["NAME  ID  CREATED"], (await _cli.OperatorAsync("tenants", "list")).StdoutLines);
    }

    [Theory] // TEN-1: per-tenant settings (egress allow-lists, retention windows) name a tenant by its settings key
    [InlineData("acme.eu")]
    [InlineData("acme_eu")]
    [InlineData("ACME-EU")]
    public async Task Tenants_create_refuses_a_name_whose_settings_key_another_tenant_has_and_creates_nothing_TEN_1(string twin)
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme-eu")).ExitCode);

        var refused = await _cli.OperatorAsync("tenants", "create", twin);

        Assert.Equal(1, refused.ExitCode);
        Assert.Empty(refused.Stdout);
        var line = Assert.Single(refused.StderrLines);
        Assert.Contains("ACME_EU", line, StringComparison.Ordinal);
        Assert.Contains("'acme-eu'", line, StringComparison.Ordinal);
        var listed = (await _cli.OperatorAsync("tenants", "list")).StdoutLines;
        Assert.Equal(2, listed.Count()); // the header and acme-eu
        Assert.DoesNotContain(listed, l => l.StartsWith(twin + " ", StringComparison.Ordinal));
    }
}
