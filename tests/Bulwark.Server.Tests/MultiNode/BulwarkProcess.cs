using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Bulwark.Server.Tests.Cli;

namespace Bulwark.Server.Tests.MultiNode;

/// <summary>
/// The built <c>bulwark</c> CLI as a real OS process (<c>dotnet bulwark.dll …</c>), with an
/// environment of its own: none of the machine's BULWARK_* variables reach it. Disposing kills it
/// and everything it started, also when the test failed half-way.
/// </summary>
internal sealed class BulwarkProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BulwarkProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append("out", e.Data);
        _process.ErrorDataReceived += (_, e) => Append("err", e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything printed so far, each line tagged with its stream.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static BulwarkProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "bulwark.dll");
        Assert.True(File.Exists(dll), $"the built CLI is missing at {dll}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Never the test runner's own stdin.
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("BULWARK_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new BulwarkProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Runs a command to its end (bounded) and returns what it printed.</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(environment, args);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process._process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"bulwark {string.Join(' ', args)} did not end within 60 s:\n{process.Output}");
        }

        // The exit can overtake the last lines of output; WaitForExit() without a timeout drains them.
        process._process.WaitForExit();
        return new CliRun(process._process.ExitCode, process.Lines("out"), process.Lines("err"));
    }

    /// <summary>Waits (bounded) until a line matches; fails with the output when the process ends first.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (pattern.Match(Output) is { Success: true } match)
            {
                return match;
            }

            Assert.False(_process.HasExited, $"the process ended (exit {(_process.HasExited ? _process.ExitCode : 0)}) before printing {pattern}:\n{Output}");
            await Task.Delay(50);
        }

        Assert.Fail($"no line matching {pattern} within 60 s:\n{Output}");
        return Match.Empty;
    }

    /// <summary>kill -9 of this process alone: no shutdown, no last word to the store.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // It ended by itself meanwhile.
        }

        _process.Dispose();
    }

    private string Lines(string stream)
    {
        var prefix = stream + "| ";
        return string.Join('\n', Output.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..]));
    }

    private void Append(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(stream).Append("| ").Append(line).Append('\n');
        }
    }

    // `dotnet test` runs the tests under the same dotnet host the CLI needs.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
}
