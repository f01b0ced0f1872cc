using Bulwark.Sandbox.Seccomp;

namespace Bulwark.Sandbox.Tests.Seccomp;

/// <summary>What ordinary script jobs do must keep working under the filter (BOX-1).</summary>
public sealed class SeccompFilterOrdinaryProgramTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"bulwark-seccomp-programs-{Guid.NewGuid():N}");
    private readonly string _filter;

    public SeccompFilterOrdinaryProgramTests()
    {
        Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _filter = SeccompFilterFile.Write(_directory);
    }

    [Fact]
    public async Task Shell_pipeline_runs_when_under_the_filter()
    {
        var result = await SeccompHarness.RunAsync(_filter, namespaceRoot: false, "/bin/sh", "-c", "printf 'b\\na\\n' | sort; echo hi | sort");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("a\nb\nhi\n", result.Stdout);
    }

    [Fact]
    public async Task Ls_and_date_run_when_under_the_filter()
    {
        var result = await SeccompHarness.RunAsync(_filter, namespaceRoot: false, "/bin/sh", "-c", "ls / && date -u +%Y");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("usr\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Python_threads_and_child_processes_run_when_under_the_filter()
    {
        // Threads: glibc tries clone3 first and must fall back to clone on the filter's ENOSYS.
        // subprocess: fork/vfork-style clone without namespace flags must stay allowed.
        const string Script = """
            import json, os, subprocess, threading

            results = []
            def work(n):
                results.append(n * n)
            threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

            child = subprocess.run(["/bin/sh", "-c", "echo child $$"], capture_output=True, text=True, check=True)
            pid = os.fork()
            if pid == 0:
                os._exit(7)
            _, status = os.waitpid(pid, 0)

            print(json.dumps({"squares": sorted(results), "child": child.stdout.split()[0], "fork_exit": os.WEXITSTATUS(status)}))
            """;

        var result = await SeccompHarness.RunAsync(_filter, namespaceRoot: false, "/usr/bin/python3", "-c", Script);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("""{"squares": [0, 1, 4, 9, 16, 25, 36, 49], "child": "child", "fork_exit": 7}""" + "\n", result.Stdout);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
