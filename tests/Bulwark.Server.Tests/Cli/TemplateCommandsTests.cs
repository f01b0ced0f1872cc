namespace Bulwark.Server.Tests.Cli;

/// <summary><c>bulwark templates …</c>: registration from files (JOB-1), all or nothing per batch.</summary>
public sealed class TemplateCommandsTests : IDisposable
{
    private const string EmptyList = "KEY  VERSION  KIND  OWNER  CREATED";

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<string[]> ListAsync()
    {
        var listed = await _cli.OperatorAsync("templates", "list", "--tenant", "acme");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        return listed.StdoutLines;
    }

    [Fact]
    public async Task Templates_apply_registers_a_yaml_file_and_list_shows_it_JOB_1()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        var file = _cli.WriteFile("demo.echo.yaml", DemoTemplates.Echo);

        var applied = await _cli.OperatorAsync("templates", "apply", file);

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal(["demo.echo@1"], applied.StdoutLines);
        var row = Assert.Single(await ListAsync(), l => l.StartsWith("demo.echo ", StringComparison.Ordinal));
        Assert.Equal(["demo.echo", "1", "script", "(global)"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..4]);
    }

    [Fact]
    public async Task Templates_apply_again_creates_the_next_version_JOB_1()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        var yaml = _cli.WriteFile("demo.echo.yaml", DemoTemplates.Echo);
        var json = _cli.WriteFile("acme.report.json", DemoTemplates.OwnedByAcme);
        Assert.Equal(0, (await _cli.OperatorAsync("templates", "apply", yaml)).ExitCode);

        var applied = await _cli.OperatorAsync("templates", "apply", yaml, json);

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal(["demo.echo@2", "acme.report@1"], applied.StdoutLines);
        var report = Assert.Single(await ListAsync(), l => l.StartsWith("acme.report ", StringComparison.Ordinal));
        Assert.Equal("acme", report.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]);
    }

    [Theory]
    [InlineData("bad.yaml", DemoTemplates.BadKey)]
    [InlineData("ghost.yaml", DemoTemplates.UnknownTenant)]
    public async Task Templates_apply_of_a_batch_with_one_bad_file_applies_nothing_JOB_1(string badName, string badText)
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        var good = _cli.WriteFile("demo.echo.yaml", DemoTemplates.Echo);
        var bad = _cli.WriteFile(badName, badText);

        var applied = await _cli.OperatorAsync("templates", "apply", good, bad);

        Assert.Equal(1, applied.ExitCode);
        Assert.Empty(applied.Stdout);
        Assert.Contains(bad, Assert.Single(applied.StderrLines), StringComparison.Ordinal);
        Assert.Equal([EmptyList], await ListAsync());
    }

    [Fact]
    public async Task Templates_apply_names_a_missing_file_and_applies_nothing_JOB_1()
    {
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        var good = _cli.WriteFile("demo.echo.yaml", DemoTemplates.Echo);
        var missing = Path.Combine(_cli.DataDir, "files", "missing.yaml");

        var applied = await _cli.OperatorAsync("templates", "apply", good, missing);

        Assert.Equal(1, applied.ExitCode);
        Assert.Contains(missing, Assert.Single(applied.StderrLines), StringComparison.Ordinal);
        Assert.Equal([EmptyList], await ListAsync());
    }

    [Fact]
    public async Task Templates_list_fails_with_one_sentence_for_an_unknown_tenant_TEN_3()
    {
        var listed = await _cli.OperatorAsync("templates", "list", "--tenant", "ghost");

        Assert.Equal(1, listed.ExitCode);
        Assert.Contains("ghost", Assert.Single(listed.StderrLines), StringComparison.Ordinal);
    }
}
