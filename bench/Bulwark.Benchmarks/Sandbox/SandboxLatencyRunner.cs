using System.Diagnostics;
using System.Globalization;
using Bulwark.Core.Sandbox;
using Bulwark.Core.Templates;
using Bulwark.Sandbox;

namespace Bulwark.Benchmarks.Sandbox;

/// <summary>
/// Issue 3's side-by-side: start-to-exit latency of <c>/bin/true</c> through Bulwark's sandbox,
/// through bare bubblewrap (the same namespaces and runtime binds, none of Bulwark's uid drop,
/// limits, seccomp, cgroup or work dir), and through a plain fork/exec — in one process, one
/// after the other, so they share the machine's state. It prints ratios, never a verdict.
/// </summary>
internal static class SandboxLatencyRunner
{
    private const int DefaultRuns = 200;
    private const int WarmupRuns = 20;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var runs = DefaultRuns;
        if (args.Length == 2 && args[0] == "--runs" && int.TryParse(args[1], CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            runs = n;
        }
        else if (args.Length != 0)
        {
            await Console.Error.WriteLineAsync("usage: Bulwark.Benchmarks sandbox [--runs N]");
            return 2;
        }

        var root = Path.Combine(Path.GetTempPath(), "bulwark-bench-sandbox-" + Guid.NewGuid().ToString("N"));
        try
        {
            // A uid of its own: RLIMIT_NPROC counts per host uid, and other runs on the host must not skew this one.
            var sandbox = new BubblewrapSandbox(new BubblewrapOptions { WorkRoot = Path.Combine(root, "runs"), Uid = 61100, Gid = 61100 });
            if (!sandbox.Health.Usable)
            {
                await Console.Error.WriteLineAsync($"The sandbox is not usable here: {sandbox.Health.Detail}");
                return 1;
            }

            LaunchVariant[] variants =
            [
                new("fork/exec", ct => RunProcessAsync("/bin/true", [], ct)),
                new("bare bwrap", ct => RunProcessAsync("bwrap", BareBwrapArguments, ct)),
                new("Bulwark", ct => RunSandboxAsync(sandbox, ct)),
            ];

            var samples = new List<LatencySample>();
            foreach (var concurrency in new[] { 1, 2 })
            {
                foreach (var variant in variants)
                {
                    await LatencySample.MeasureAsync(variant, WarmupRuns, concurrency);
                    samples.Add(await LatencySample.MeasureAsync(variant, runs, concurrency));
                }
            }

            Print(output, runs, sandbox.Health, samples);
            return 0;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    // Enough of a root for /bin/true to exec: the runtime read-only, /proc and /dev, every namespace.
    private static readonly string[] BareBwrapArguments =
    [
        "--unshare-all", "--die-with-parent",
        "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev",
        "--", "/bin/true",
    ];

    private static async Task RunProcessAsync(string file, string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}.");
        }
    }

    private static async Task RunSandboxAsync(ISandbox sandbox, CancellationToken ct)
    {
        var result = await sandbox.RunAsync(
            new SandboxRequest
            {
                RunId = "bench-" + Guid.NewGuid().ToString("N")[..12],
                Command = ["/bin/true"],
                Environment = new Dictionary<string, string>(),
                Limits = ResourceLimits.Default,
            },
            ct);
        if (result.Termination != SandboxTermination.Exited || result.ExitCode != 0)
        {
            throw new InvalidOperationException($"The sandboxed /bin/true ended {result.Termination.ToName()} ({result.ExitCode}): {result.Stderr}");
        }
    }

    private static void Print(TextWriter output, int runs, SandboxHealth health, IReadOnlyList<LatencySample> samples)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"sandbox: /bin/true start-to-exit, {runs} runs per row, {Environment.ProcessorCount} cores; Bulwark = {health.Detail}; limits: {health.Limits}"));
        output.WriteLine(string.Create(c, $"{"variant",-12}{"concurrency",12}{"p50 ms",10}{"p99 ms",10}{"starts/s",10}{"p50 vs bare bwrap",20}"));
        foreach (var s in samples)
        {
            var bare = samples.Single(b => b.Variant == "bare bwrap" && b.Concurrency == s.Concurrency);
            output.WriteLine(string.Create(c, $"{s.Variant,-12}{s.Concurrency,12}{s.P50Ms,10:0.00}{s.P99Ms,10:0.00}{s.StartsPerSecond,10:0}{s.P50Ms / bare.P50Ms,20:0.00}x"));
        }
    }
}
