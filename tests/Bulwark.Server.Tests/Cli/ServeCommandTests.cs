using System.Text.RegularExpressions;
using Bulwark.Cli;

namespace Bulwark.Server.Tests.Cli;

/// <summary>
/// <c>bulwark serve</c> run in-process on a free port, driven by the other commands exactly as
/// the README's tour does (OPS-1).
/// </summary>
public sealed partial class ServeCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [GeneratedRegex(@"Bulwark listening on (?<url>http://\S+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"^bwk_\S+$", RegexOptions.Multiline)]
    private static partial Regex AnyKey();

    /// <summary>A <c>serve</c> running in the background until disposed, with what it printed so far.</summary>
    private sealed class Serving(Task<int> run, CancellationTokenSource stop, StringWriter output, TextWriter synchronized) : IAsyncDisposable
    {
        public string Output
        {
            get
            {
                // The server writes from its own threads; read under the writer's own lock.
                lock (synchronized)
                {
                    return output.ToString();
                }
            }
        }

        public Task<int> Run => run;

        public async Task<string> UrlAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline && !run.IsCompleted)
            {
                if (Listening().Match(Output) is { Success: true } match)
                {
                    return match.Groups["url"].Value;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException($"serve did not start (exit {(run.IsCompleted ? run.Result : -1)}):\n{Output}");
        }

        public async Task<int> StopAsync()
        {
            await stop.CancelAsync();
            return await run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        public async ValueTask DisposeAsync()
        {
            if (!run.IsCompleted)
            {
                await StopAsync();
            }

            stop.Dispose();
            await synchronized.DisposeAsync();
        }
    }

    private Serving Serve()
    {
        var output = new StringWriter();
        var synchronized = TextWriter.Synchronized(output);
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => CliApp.RunAsync(
            ["serve", "--urls", "http://127.0.0.1:0", "--data", _cli.DataDir], synchronized, synchronized, _cli.Environment, stop.Token));
        return new Serving(run, stop, output, synchronized);
    }

    [Fact]
    public async Task Serve_prints_the_admin_key_on_the_first_start_only_and_stops_cleanly_when_cancelled_OPS_1()
    {
        await using (var first = Serve())
        {
            await first.UrlAsync();
            Assert.Equal(0, await first.StopAsync());
            Assert.Single(AnyKey().Matches(first.Output));
            Assert.Contains("Bulwark stopping", first.Output, StringComparison.Ordinal);
        }

        await using var second = Serve();
        await second.UrlAsync();
        Assert.Equal(0, await second.StopAsync());
        Assert.Empty(AnyKey().Matches(second.Output));
    }

    [Fact]
    public async Task The_readme_tour_runs_a_job_from_tenant_to_logs_through_the_cli_OPS_1()
    {
        await using var server = Serve();
        _cli.Environment["BULWARK_URL"] = await server.UrlAsync();
        Assert.Equal(0, (await _cli.OperatorAsync("tenants", "create", "acme")).ExitCode);
        var key = await _cli.OperatorAsync("keys", "create", "--tenant", "acme", "--scopes", "jobs:read,jobs:write,demo:run");
        Assert.True(key.ExitCode == 0, key.ToString());
        _cli.Environment["BULWARK_API_KEY"] = key.StdoutLines[^1];
        var applied = await _cli.OperatorAsync("templates", "apply", _cli.WriteFile("demo.echo.yaml", DemoTemplates.Echo));
        Assert.True(applied.ExitCode == 0, applied.ToString());

        var run = await _cli.RunAsync("submit", "demo.echo", "--input", "name=world", "--wait");

        Assert.True(run.ExitCode == 0, run.ToString() + "\nserver:\n" + server.Output);
        Assert.Matches("^job_\\S+ queued$", run.StdoutLines[0]);
        Assert.Contains("hello world", run.StdoutLines);
    }

    [Fact]
    public async Task Serve_fails_with_one_sentence_when_a_setting_is_bad_AUTHZ_4()
    {
        _cli.Environment["BULWARK_WORKERS"] = "0";

        var run = await _cli.RunAsync("serve", "--urls", "http://127.0.0.1:0", "--data", _cli.DataDir);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("BULWARK_WORKERS", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }
}
