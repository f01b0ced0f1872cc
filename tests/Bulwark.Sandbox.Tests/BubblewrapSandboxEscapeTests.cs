using System.Net.Sockets;
using System.Text;
using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox.Tests;

/// <summary>
/// Issue 3, item 7: hostile jobs against real bubblewrap. Each test attacks from inside a job and
/// asserts both the outcome and, for refusals, that nothing happened on the host. Tests whose
/// outcome depends on the host's cgroups assert what the detected mode promises; they never skip.
/// </summary>
public sealed class BubblewrapSandboxEscapeTests : IDisposable
{
    private readonly TestSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void Health_reports_how_limits_are_enforced_when_the_sandbox_is_usable()
    {
        var health = _sandbox.Sandbox.Health;

        Assert.True(health.Usable, health.Detail);
        // BOX-2: the cgroup mode detected at start, e.g. "cgroup v1 (memory, pids, cpuacct)".
        Assert.Equal(_sandbox.Cgroups.Description, health.Limits);
        Assert.Matches(@"^(cgroup v2 \(memory, pids, cpu\)|cgroup v1 \([a-z, ]+\)|rlimits only.*)$", health.Limits);
    }

    [Fact]
    public async Task Job_cannot_mount_anything_when_it_calls_mount()
    {
        // BOX-1: no capability in any namespace (and seccomp refuses mount); the mount table stays as it was.
        var result = await _sandbox.RunShellAsync("""
            before=$(wc -l < /proc/self/mounts)
            mount -t tmpfs none /tmp 2>&1; echo rc=$?
            mount --bind /work /usr 2>&1; echo rc=$?
            after=$(wc -l < /proc/self/mounts)
            [ "$before" = "$after" ] && echo same-mounts
            """);

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal(2, result.Stdout.Split('\n').Count(l => l.StartsWith("rc=", StringComparison.Ordinal) && l != "rc=0"));
        Assert.Contains("same-mounts", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_cannot_nest_namespaces_when_it_calls_unshare()
    {
        // BOX-1: --disable-userns and the seccomp filter: no user namespace, so no root-in-namespace either.
        var result = await _sandbox.RunShellAsync("""
            unshare -U true 2>&1; echo user_rc=$?
            unshare -r id -u 2>&1; echo root_rc=$?
            unshare -n true 2>&1; echo net_rc=$?
            """);

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.DoesNotContain("_rc=0", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("user_rc=", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("root_rc=", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\n0\n", "\n" + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_cannot_write_outside_work_and_tmp_when_it_tries_every_other_place()
    {
        var name = $"bulwark-planted-{Guid.NewGuid():N}";
        var result = await _sandbox.RunShellAsync($"""
            for d in / /etc /usr /usr/local/bin /proc /dev /run /var /home /root; do
              if ( echo x > "$d/{name}" ) 2>/dev/null; then echo "WROTE $d"; else echo "refused $d"; fi
            done
            echo y > /proc/sys/kernel/hostname 2>/dev/null && echo WROTE-hostname
            echo ok > /work/{name} && echo ok > /tmp/{name} && echo own-places-ok
            """);

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.DoesNotContain("WROTE", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(10, result.Stdout.Split('\n').Count(l => l.StartsWith("refused ", StringComparison.Ordinal)));
        Assert.Contains("own-places-ok", result.Stdout, StringComparison.Ordinal);
        // Nothing landed on the host.
        foreach (var dir in new[] { "/", "/etc", "/usr", "/usr/local/bin", "/run", "/var", "/home", "/root", Path.GetTempPath() })
        {
            Assert.False(File.Exists(Path.Combine(dir, name)), $"planted in {dir}");
        }
    }

    [Fact]
    public async Task Job_cannot_read_the_server_environment_when_it_looks_at_every_process()
    {
        var name = $"BULWARK_ESCAPE_SECRET_{Guid.NewGuid():N}";
        var value = $"server-secret-{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            // Every environ the job can open: its own, its init's, anything else in its PID namespace.
            var result = await _sandbox.RunShellAsync("cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n'; env");

            Assert.Equal(SandboxTermination.Exited, result.Termination);
            Assert.DoesNotContain(name, result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(value, result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task Job_ends_with_process_limit_promptly_when_it_forks_a_bomb_under_a_pids_cgroup()
    {
        var marker = TestSandbox.NewMarker();
        var limits = TestSandbox.QuickLimits with { MaxProcesses = 16, TimeoutSeconds = 8 };

        var result = await _sandbox.RunShellAsync("bomb() { bomb | bomb & }; bomb; sleep 1000", limits, marker: marker);

        if (_sandbox.Cgroups.EnforcesProcesses)
        {
            // BOX-2: pids.max stops the bomb and the watcher ends the run at once, not at its timeout.
            Assert.Equal(SandboxTermination.ProcessLimit, result.Termination);
            Assert.Null(result.ExitCode);
            Assert.True(result.Duration < TimeSpan.FromSeconds(3), $"took {result.Duration}");
        }
        else
        {
            // rlimits only: RLIMIT_NPROC refuses the forks; the run lasts until its timeout.
            Assert.True(result.Termination is SandboxTermination.Timeout or SandboxTermination.Exited, result.Termination.ToName());
        }

        // BOX-4 either way.
        Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
        Assert.Empty(_sandbox.Leftovers());
    }

    [Fact]
    public async Task Job_ends_with_the_honest_memory_outcome_when_it_allocates_beyond_memory_mb()
    {
        var limits = TestSandbox.QuickLimits with { MemoryMb = 64 };
        // 16 MiB at a time, each byte written, up to 1 GiB: far beyond memory_mb whichever limit catches it.
        const string bomb = "import sys\nb = []\nfor i in range(64):\n    b.append(b'x' * (16 << 20))\nprint('ALLOCATED')";

        var result = await _sandbox.Sandbox.RunAsync(
            new SandboxRequest
            {
                RunId = "memory-bomb",
                Command = ["python3", "-c", bomb],
                Environment = new Dictionary<string, string>(),
                Limits = limits,
            },
            CancellationToken.None);

        Assert.DoesNotContain("ALLOCATED", result.Stdout, StringComparison.Ordinal);
        if (_sandbox.Cgroups.EnforcesMemory)
        {
            // BOX-2: the cgroup's OOM kill, reported as such.
            Assert.Equal(SandboxTermination.MemoryLimit, result.Termination);
            Assert.Null(result.ExitCode);
        }
        else
        {
            // rlimits only: RLIMIT_AS makes the allocation fail; the program decides (python raises).
            Assert.Equal(SandboxTermination.Exited, result.Termination);
            Assert.Contains("MemoryError", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Job_ends_with_cpu_limit_when_its_processes_together_spin_past_cpu_seconds()
    {
        // Two spinners, each under RLIMIT_CPU's per-process budget for a while: only a tree-wide
        // account (cgroup) catches their sum early; RLIMIT_CPU ends each at cpu_seconds alone.
        var limits = TestSandbox.QuickLimits with { CpuSeconds = 1, TimeoutSeconds = 8 };

        var result = await _sandbox.RunShellAsync("(while :; do :; done) & (while :; do :; done) & wait; exec sh -c 'while :; do :; done'", limits);

        Assert.Equal(SandboxTermination.CpuLimit, result.Termination);
        Assert.Null(result.ExitCode);
        Assert.True(result.Duration < TimeSpan.FromSeconds(6), $"took {result.Duration}");
    }

    [Fact]
    public async Task Job_ends_with_file_size_limit_when_it_fills_work_with_one_file()
    {
        // /work is on the host disk: RLIMIT_FSIZE (tmp_mb) stops the file, SIGXFSZ names the reason.
        var result = await _sandbox.Sandbox.RunAsync(
            new SandboxRequest
            {
                RunId = "disk-fill",
                Command = ["dd", "if=/dev/zero", "of=/work/fill", "bs=1M", "count=64"],
                Environment = new Dictionary<string, string>(),
                Limits = TestSandbox.QuickLimits,
            },
            CancellationToken.None);

        Assert.Equal(SandboxTermination.FileSizeLimit, result.Termination);
        Assert.Null(result.ExitCode);
        Assert.Empty(_sandbox.Leftovers());
    }

    [Fact]
    public async Task Job_leaves_no_process_and_no_cgroup_when_it_plants_daemons_and_exits()
    {
        var marker = TestSandbox.NewMarker();
        var runId = $"orphans-{Guid.NewGuid():N}"[..30];
        var script = $"""
            setsid sh -c 'while :; do sleep 1; done; :' {marker}-a </dev/null >/dev/null 2>&1 &
            ( ( sh -c 'while :; do sleep 1; done; :' {marker}-b </dev/null >/dev/null 2>&1 & ) & )
            sleep 0.3
            """;

        var run = _sandbox.RunShellAsync(script, marker: marker, runId: runId);
        var seenDuringRun = await WaitForAsync(() => _sandbox.CgroupsOf(runId).Count > 0, TimeSpan.FromSeconds(5));
        var result = await run;

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
        // BOX-4: the run's cgroup existed while it ran (when the host has cgroups) and is removed now.
        Assert.Equal(_sandbox.Cgroups.BaseDirectories.Count > 0, seenDuringRun);
        Assert.Empty(_sandbox.CgroupsOf(runId));
        Assert.Empty(_sandbox.Leftovers());
    }

    [Fact]
    public async Task Job_reaches_the_runtime_socket_when_the_request_mounts_one()
    {
        // BOX-3: the one way out. The test listens where uid 65534 may traverse and connect.
        var dir = Path.Combine(Path.GetTempPath(), $"bulwark-rt-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ED); // 0755
        var socketPath = Path.Combine(dir, "runtime.sock");
        try
        {
            using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            server.Bind(new UnixDomainSocketEndPoint(socketPath));
            server.Listen();
            File.SetUnixFileMode(socketPath, (UnixFileMode)0x1B6); // 0666
            var received = ReceiveAllAsync(server);

            var result = await _sandbox.RunShellAsync(
                """
                echo "env=$BULWARK_RUNTIME_SOCKET"
                python3 -c "import os, socket; s = socket.socket(socket.AF_UNIX); s.connect(os.environ['BULWARK_RUNTIME_SOCKET']); s.sendall(b'hello from the job'); s.close()"
                echo rc=$?
                rm -f /run/bulwark/runtime.sock 2>/dev/null || echo cannot-remove
                """,
                runtimeSocket: socketPath);

            Assert.Equal(SandboxTermination.Exited, result.Termination);
            Assert.Contains("env=/run/bulwark/runtime.sock\n", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("rc=0", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("cannot-remove", result.Stdout, StringComparison.Ordinal);
            Assert.Equal("hello from the job", await received.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.True(File.Exists(socketPath));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Job_has_no_run_bulwark_and_no_socket_variable_when_the_request_has_no_runtime_socket()
    {
        var result = await _sandbox.RunShellAsync("[ -e /run/bulwark ] && echo VISIBLE; [ -e /run ] && echo RUN; echo \"env=${BULWARK_RUNTIME_SOCKET-unset}\"");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal("env=unset\n", result.Stdout);
    }

    [Fact]
    public async Task Sandbox_still_runs_a_normal_job_when_a_batch_of_hostile_jobs_has_just_ended()
    {
        var quick = TestSandbox.QuickLimits with { TimeoutSeconds = 3, MaxProcesses = 16 };
        var hostile = new[]
        {
            "bomb() { bomb | bomb & }; bomb; sleep 1000",
            "yes",
            "head -c 100000000 /dev/zero > /tmp/fill; head -c 100000000 /dev/zero > /work/fill",
            "python3 -c \"b = [b'x' * (16 << 20) for i in range(64)]\"",
            "setsid sh -c 'sleep 1000' & exit 0",
            "while :; do :; done",
        };
        var limits = quick with { CpuSeconds = 1, MemoryMb = 64, OutputKb = 8 };
        var outcomes = await Task.WhenAll(hostile.Select(s => _sandbox.RunShellAsync(s, limits, runId: "hostile")));

        var result = await _sandbox.RunShellAsync("sh -c 'echo child'; echo parent; ls /tmp | wc -l");

        Assert.Equal(hostile.Length, outcomes.Length);
        Assert.True(_sandbox.Sandbox.Health.Usable);
        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal("child\nparent\n0\n", result.Stdout);
        Assert.Empty(_sandbox.Leftovers());
        Assert.Empty(_sandbox.CgroupsOf("hostile"));
    }

    private static async Task<string> ReceiveAllAsync(Socket server)
    {
        using var connection = await server.AcceptAsync();
        var buffer = new byte[1024];
        var text = new StringBuilder();
        int read;
        while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(10);
        }

        return false;
    }
}
