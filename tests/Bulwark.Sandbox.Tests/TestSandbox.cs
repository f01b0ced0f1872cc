using Bulwark.Core.Sandbox;
using Bulwark.Core.Templates;
using Bulwark.Sandbox.Cgroups;

namespace Bulwark.Sandbox.Tests;

/// <summary>A real bubblewrap sandbox over a work root of its own, so parallel tests never share one.</summary>
internal sealed class TestSandbox : IDisposable
{
    public static readonly ResourceLimits QuickLimits = new()
    {
        TimeoutSeconds = 10,
        CpuSeconds = 5,
        MemoryMb = 256,
        MaxProcesses = 64,
        TmpMb = 8,
        OutputKb = 256,
    };

    public TestSandbox(Func<BubblewrapOptions, BubblewrapOptions>? configure = null)
    {
        WorkRoot = Path.Combine(Path.GetTempPath(), $"bulwark-sbx-test-{Guid.NewGuid():N}");
        var options = new BubblewrapOptions { WorkRoot = WorkRoot };
        Sandbox = new BubblewrapSandbox(configure?.Invoke(options) ?? options);
    }

    public string WorkRoot { get; }

    public BubblewrapSandbox Sandbox { get; }

    public static string NewMarker() => $"bulwark-marker-{Guid.NewGuid():N}";

    public Task<SandboxResult> RunShellAsync(
        string script,
        ResourceLimits? limits = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string stdin = "",
        string? marker = null,
        CancellationToken ct = default,
        string runId = "test-run",
        string? runtimeSocket = null,
        IOutputSink? sink = null) =>
        Sandbox.RunAsync(
            new SandboxRequest
            {
                RunId = runId,
                RuntimeSocket = runtimeSocket,
                OutputSink = sink,
                // The marker rides along as $0 so every fork of this shell carries it in its cmdline.
                Command = ["/bin/sh", "-c", script, marker ?? "job"],
                Environment = environment ?? new Dictionary<string, string>(),
                Stdin = stdin,
                Limits = limits ?? QuickLimits,
            },
            ct);

    /// <summary>The cgroup mode this host gave the sandbox (detected once, at its first use).</summary>
    public CgroupController Cgroups => Sandbox.Cgroups ?? throw new InvalidOperationException(Sandbox.Health.Detail);

    /// <summary>Run cgroups of <paramref name="runId"/> still present in any hierarchy (BOX-4).</summary>
    public IReadOnlyList<string> CgroupsOf(string runId) =>
        Cgroups.BaseDirectories.Where(Directory.Exists)
            .SelectMany(d => Directory.GetDirectories(d, $"{runId}-*")).ToList();

    /// <summary>Entries left in the work root: run dirs and private args files must all be gone (BOX-4).</summary>
    public string[] Leftovers() =>
        Directory.Exists(WorkRoot) ? Directory.GetFileSystemEntries(WorkRoot) : [];

    public void Dispose()
    {
        if (Directory.Exists(WorkRoot))
        {
            Directory.Delete(WorkRoot, recursive: true);
        }
    }
}
