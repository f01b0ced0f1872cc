namespace Bulwark.Server.Tests.Cli;

/// <summary>The command line's shape: every command documents itself and bad usage is refused plainly.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("--help")]
    [InlineData("serve --help")]
    [InlineData("tenants --help")]
    [InlineData("tenants create --help")]
    [InlineData("tenants list --help")]
    [InlineData("keys --help")]
    [InlineData("keys create --help")]
    [InlineData("keys list --help")]
    [InlineData("keys revoke --help")]
    [InlineData("templates --help")]
    [InlineData("templates apply --help")]
    [InlineData("templates list --help")]
    [InlineData("submit --help")]
    public async Task Every_command_prints_its_help_and_exits_0_when_asked(string args)
    {
        var run = await _cli.RunAsync(args.Split(' '));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Usage:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Description:", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(run.Stderr);
    }

    [Fact]
    public async Task Submit_help_documents_the_input_value_rule()
    {
        var run = await _cli.RunAsync("submit", "--help");

        Assert.Contains("true/false", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("BULWARK_API_KEY", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("tenants frobnicate")]
    [InlineData("keys create --tenant acme")]
    [InlineData("submit")]
    [InlineData("submit demo.echo --input novalue")]
    [InlineData("submit demo.echo --inputs-json [1,2]")]
    public async Task Bad_usage_exits_2_with_one_line_on_stderr(string args)
    {
        var run = await _cli.RunAsync(args.Split(' '));

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Single(run.StderrLines);
    }

    [Fact]
    public async Task No_command_is_a_usage_error()
    {
        var run = await _cli.RunAsync();

        Assert.NotEqual(0, run.ExitCode);
        Assert.NotEmpty(run.Stderr);
    }
}
