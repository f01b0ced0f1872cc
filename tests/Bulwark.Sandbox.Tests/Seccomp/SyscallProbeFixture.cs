using Bulwark.Sandbox.Seccomp;

namespace Bulwark.Sandbox.Tests.Seccomp;

/// <summary>
/// Runs <see cref="SyscallProbe"/> once per sandbox variant and keeps the answers for every test
/// of the class, instead of starting a sandbox per syscall and variant.
/// </summary>
public sealed class SyscallProbeFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"bulwark-seccomp-probe-{Guid.NewGuid():N}");

    /// <summary>Under the filter, as the job's unprivileged uid with no capabilities (BOX-1).</summary>
    internal IReadOnlyDictionary<string, SyscallOutcome> Filtered { get; private set; } = null!;

    /// <summary>Under the filter, as root with every capability of the sandbox's user namespace.</summary>
    internal IReadOnlyDictionary<string, SyscallOutcome> FilteredNamespaceRoot { get; private set; } = null!;

    /// <summary>The same namespace root without the filter: what the kernel alone answers.</summary>
    internal IReadOnlyDictionary<string, SyscallOutcome> UnfilteredNamespaceRoot { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var filter = SeccompFilterFile.Write(_directory);

        var runs = await Task.WhenAll(
            SeccompHarness.RunAsync(filter, namespaceRoot: false, "/usr/bin/python3", "-c", SyscallProbe.Script),
            SeccompHarness.RunAsync(filter, namespaceRoot: true, "/usr/bin/python3", "-c", SyscallProbe.Script),
            SeccompHarness.RunAsync(filterFile: null, namespaceRoot: true, "/usr/bin/python3", "-c", SyscallProbe.Script));

        foreach (var run in runs)
        {
            if (run.ExitCode != 0)
            {
                throw new InvalidOperationException($"The syscall probe failed:\n{run}");
            }
        }

        Filtered = SyscallProbe.Parse(runs[0].Stdout);
        FilteredNamespaceRoot = SyscallProbe.Parse(runs[1].Stdout);
        UnfilteredNamespaceRoot = SyscallProbe.Parse(runs[2].Stdout);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
