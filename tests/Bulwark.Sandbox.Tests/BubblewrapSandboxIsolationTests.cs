using System.Net;
using System.Net.Sockets;
using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox.Tests;

/// <summary>BOX-1 and BOX-3: what the job is, and what of the host it can see.</summary>
public sealed class BubblewrapSandboxIsolationTests : IDisposable
{
    private readonly TestSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Job_runs_unprivileged_without_capabilities_and_with_no_new_privs_when_the_server_is_root()
    {
        var result = await _sandbox.RunShellAsync("id -u; id -g; id -G; grep -E '^(Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["65534", "65534", "65534"], lines[..3]);
        var status = lines[3..].ToDictionary(l => l.Split(':')[0], l => l.Split(':', 2)[1].Trim());
        Assert.Equal("65534\t65534\t65534\t65534", status["Uid"]);
        Assert.Equal("65534\t65534\t65534\t65534", status["Gid"]);
        foreach (var cap in new[] { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" })
        {
            Assert.Equal("0000000000000000", status[cap]);
        }

        Assert.Equal("1", status["NoNewPrivs"]);
    }

    [Fact]
    public async Task Job_is_uid_65534_on_the_host_when_seen_from_outside_the_sandbox()
    {
        var marker = TestSandbox.NewMarker();
        using var cts = new CancellationTokenSource();
        const string script = "while :; do sleep 0.1; done";
        var run = _sandbox.RunShellAsync(script, marker: marker, ct: cts.Token);

        // The job's own shell, not the launcher (which carries the same words on its argv while it
        // is still root, before setpriv).
        var pids = await HostProcesses.WaitForArgumentsAsync(["/bin/sh", "-c", script, marker], TimeSpan.FromSeconds(5));
        var uidLines = pids.Select(HostProcesses.UidLine).OfType<string>().ToList();
        await cts.CancelAsync();
        await run;

        Assert.NotEmpty(uidLines);
        Assert.All(uidLines, l => Assert.Equal("Uid:\t65534\t65534\t65534\t65534", l));
    }

    [Fact]
    public async Task Job_sees_its_own_hostname_and_pid_namespace_when_it_looks_around()
    {
        var result = await _sandbox.RunShellAsync("hostname; cat /proc/sys/kernel/hostname; ls /proc | grep -c '^[0-9]'");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("bulwark-job", lines[0]);
        Assert.Equal("bulwark-job", lines[1]);
        // bwrap's init, the shell, ls and grep: none of the host's processes.
        Assert.InRange(int.Parse(lines[2], System.Globalization.CultureInfo.InvariantCulture), 1, 6);
    }

    [Fact]
    public async Task Job_cannot_see_host_paths_when_they_are_not_part_of_the_runtime()
    {
        // A stand-in for the server's data dir, with a canary the job must never read (BOX-1).
        var dataDir = Path.Combine(Path.GetTempPath(), $"bulwark-server-data-{Guid.NewGuid():N}");
        var canary = $"canary-{Guid.NewGuid():N}";
        Directory.CreateDirectory(dataDir);
        await File.WriteAllTextAsync(Path.Combine(dataDir, "bulwark.db"), canary);
        File.SetUnixFileMode(dataDir, (UnixFileMode)0x1ED); // 0755: visible to everyone on the host, yet not to the job.
        try
        {
            var script = $"""
                for p in /root /home /var /etc/shadow /etc/ssh /srv /opt /mnt {dataDir} {dataDir}/bulwark.db; do
                  if [ -e "$p" ]; then echo "VISIBLE $p"; else echo "hidden $p"; fi
                done
                cat {dataDir}/bulwark.db
                echo ---etc; ls /etc; echo ---root; ls /
                """;
            var result = await _sandbox.RunShellAsync(script);

            Assert.Equal(SandboxTermination.Exited, result.Termination);
            Assert.DoesNotContain("VISIBLE", result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(canary, result.Stdout + result.Stderr, StringComparison.Ordinal);
            var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(10, lines.Count(l => l.StartsWith("hidden ", StringComparison.Ordinal)));
            // Only the runtime: /usr, its merged-usr links, /proc, /dev, /tmp, /work and a handful of /etc files.
            var etc = lines.SkipWhile(l => l != "---etc").Skip(1).TakeWhile(l => l != "---root").ToHashSet();
            var root = lines.SkipWhile(l => l != "---root").Skip(1).ToHashSet();
            Assert.Subset(new HashSet<string> { "alternatives", "group", "ld.so.cache", "localtime", "nsswitch.conf", "passwd" }, etc);
            var expectedRoot = HostLayout.ReadRuntimeRoots().Select(r => r.Path.TrimStart('/'))
                .Concat(["dev", "etc", "proc", "tmp", "usr", "work"]).ToHashSet();
            Assert.Equal(expectedRoot, root);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Job_cannot_write_the_runtime_when_it_tries_to_modify_usr()
    {
        var result = await _sandbox.RunShellAsync(
            "touch /usr/bin/planted 2>&1; echo rc=$?; echo x > /etc/passwd 2>&1; echo rc=$?; [ -e /usr/bin/planted ] && echo PLANTED; true");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.DoesNotContain("rc=0", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("PLANTED", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists("/usr/bin/planted"));
    }

    [Fact]
    public async Task Job_gets_a_private_tmp_when_the_host_tmp_has_files()
    {
        var hostFile = Path.Combine(Path.GetTempPath(), $"bulwark-host-tmp-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(hostFile, "host");
        try
        {
            var result = await _sandbox.RunShellAsync(
                $"[ -e {hostFile} ] && echo VISIBLE; ls -A /tmp | wc -l; echo mine > /tmp/job-file && cat /tmp/job-file");

            Assert.Equal(SandboxTermination.Exited, result.Termination);
            Assert.Equal("0\nmine\n", result.Stdout);
            Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "job-file")));
        }
        finally
        {
            File.Delete(hostFile);
        }
    }

    [Fact]
    public async Task Job_cannot_put_more_than_tmp_mb_in_tmp_when_it_fills_tmp()
    {
        // TmpMb = 8 in the quick limits: two 6 MiB files (each under the file size limit) cannot fit (BOX-2, disk).
        var result = await _sandbox.RunShellAsync(
            "dd if=/dev/zero of=/tmp/a bs=1M count=6 2>/dev/null; dd if=/dev/zero of=/tmp/b bs=1M count=6 2>&1; echo rc=$?; du -sk /tmp | cut -f1");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Contains("No space left on device", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("rc=1", result.Stdout, StringComparison.Ordinal);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(int.Parse(lines[^1], System.Globalization.CultureInfo.InvariantCulture), 0, 8 * 1024);
    }

    [Fact]
    public async Task Job_cannot_write_a_file_larger_than_tmp_mb_when_it_writes_in_work()
    {
        // /work lives on the host disk: RLIMIT_FSIZE is what bounds a single file there (BOX-2).
        var result = await _sandbox.RunShellAsync(
            "dd if=/dev/zero of=/work/big bs=1M count=12 2>/dev/null; echo rc=$?; du -k /work/big | cut -f1");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        // 128 + SIGXFSZ (25).
        Assert.StartsWith("rc=153\n", result.Stdout, StringComparison.Ordinal);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(int.Parse(lines[^1], System.Globalization.CultureInfo.InvariantCulture), 0, 8 * 1024);
        Assert.Empty(_sandbox.Leftovers());
    }

    [Fact]
    public async Task Job_has_only_loopback_when_it_lists_network_interfaces()
    {
        var result = await _sandbox.RunShellAsync("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal("lo\n", result.Stdout);
    }

    [Fact]
    public async Task Job_cannot_reach_a_host_listener_when_it_connects_to_host_loopback()
    {
        // BOX-3: the job's 127.0.0.1 is its own. Loopback only: the test never aims at another address.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();

        var script = $"""
            if command -v bash >/dev/null; then bash -c 'echo hi > /dev/tcp/127.0.0.1/{port}' 2>&1; echo bash_rc=$?; fi
            if command -v python3 >/dev/null; then
              python3 -c "import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2)" 2>&1 | tail -n 1; echo py_done
            fi
            """;
        var result = await _sandbox.RunShellAsync(script);
        var connected = await Task.WhenAny(accepted, Task.Delay(500)) == accepted;
        listener.Stop();

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.False(connected, "the job reached a listener on the host's loopback");
        Assert.Contains("bash_rc=1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefusedError", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_cannot_create_user_namespaces_when_it_tries_to_nest()
    {
        var result = await _sandbox.RunShellAsync("unshare --user true 2>&1; echo rc=$?");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.DoesNotContain("rc=0", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_inherits_only_stdio_when_it_lists_its_file_descriptors()
    {
        // fd 3 carried the private args into bwrap; the job must not get it (nor any server fd).
        var result = await _sandbox.RunShellAsync("ls /proc/self/fd");

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        // 0, 1, 2 and ls's own handle on /proc/self/fd.
        Assert.Equal(["0", "1", "2", "3"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Job_is_killed_with_cpu_limit_when_it_spins()
    {
        var limits = TestSandbox.QuickLimits with { CpuSeconds = 1, TimeoutSeconds = 10 };
        var result = await _sandbox.RunShellAsync("while :; do :; done", limits);

        // BOX-2: SIGXCPU (or the cgroup's CPU account) ends it well before the wall-clock timeout.
        Assert.True(SandboxTermination.CpuLimit == result.Termination, $"{result.Termination} {result.ExitCode} {result.Stderr}");
        Assert.Null(result.ExitCode);
        Assert.True(result.Duration < TimeSpan.FromSeconds(8), $"took {result.Duration}");
    }
}
