using Bulwark.Core.Sandbox;
using Bulwark.Core.Templates;

namespace Bulwark.Sandbox.Tests;

/// <summary>The composition itself, checked without running it: order and presence of each layer.</summary>
public sealed class SandboxCommandLineTests
{
    private static readonly SandboxTools Tools = new("/bin/sh", "/usr/bin/setpriv", "/usr/bin/timeout", "/usr/bin/bwrap");

    private static readonly ResourceLimits Limits = new()
    {
        MemoryMb = 128, CpuSeconds = 7, TimeoutSeconds = 20, MaxProcesses = 32, TmpMb = 16, OutputKb = 64,
    };

    private static LaunchSpec Spec(IReadOnlyDictionary<string, string>? env = null) => new()
    {
        Limits = Limits,
        WorkDir = "/srv/runs/r-1",
        PrivateFile = "/srv/runs/.r-1.args",
        Command = ["/bin/sh", "-c", "echo hi"],
        Environment = env ?? new Dictionary<string, string>(),
    };

    private static SandboxCommandLine CommandLine(IReadOnlyList<RootEntry>? roots = null) =>
        new(Tools, 65534, 65534, roots ?? [new RootEntry("/bin", "usr/bin"), new RootEntry("/lib64", null)]);

    private static SandboxLaunch Build(LaunchSpec? spec = null) => CommandLine().Build(spec ?? Spec());

    private static string Wrapper(SandboxLaunch launch) => launch.Argv[2];

    [Fact]
    public void Build_enters_the_cgroup_and_sets_limits_before_dropping_root_and_drops_root_before_bwrap_when_composing()
    {
        var launch = Build(Spec() with { CgroupProcsFiles = ["/cg/memory/r/cgroup.procs", "/cg/pids/r/cgroup.procs"] });
        var argv = launch.Argv.ToList();

        // BOX-2: the root wrapper shell does it all with builtins, then execs setpriv.
        Assert.Equal(Tools.Shell, argv[0]);
        var script = Wrapper(launch);
        Assert.True(script.IndexOf("echo $$ >\"${2}\"", StringComparison.Ordinal) < script.IndexOf("ulimit", StringComparison.Ordinal));
        Assert.Contains("echo $$ >\"${3}\"", script, StringComparison.Ordinal);
        Assert.EndsWith("shift 3 && exec \"$@\"", script, StringComparison.Ordinal);
        Assert.Equal(["bulwark-launch", "/srv/runs/.r-1.args", "/cg/memory/r/cgroup.procs", "/cg/pids/r/cgroup.procs", Tools.Setpriv], argv[3..8]);
        var setpriv = argv.IndexOf(Tools.Setpriv);
        Assert.True(setpriv < argv.IndexOf(Tools.Bwrap!));
        Assert.Equal(
            ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"],
            argv.Skip(setpriv + 1).Take(6));
        Assert.DoesNotContain(argv, a => a.Contains("prlimit", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_sets_every_rlimit_from_the_limits_when_there_is_no_cgroup()
    {
        var script = Wrapper(Build());

        Assert.Contains("ulimit -t 8 && ulimit -S -t 7", script, StringComparison.Ordinal);
        Assert.Contains($"ulimit -v {128 * 1024}", script, StringComparison.Ordinal);
        Assert.Contains("ulimit -p 32", script, StringComparison.Ordinal);
        Assert.Contains("ulimit -n 256", script, StringComparison.Ordinal);
        Assert.Contains($"ulimit -f {16 * 2048}", script, StringComparison.Ordinal);
        Assert.Contains("ulimit -c 0", script, StringComparison.Ordinal);
        Assert.DoesNotContain("echo $$", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_keeps_address_space_and_nproc_as_loose_backstops_when_a_cgroup_enforces_them()
    {
        var script = Wrapper(Build(Spec() with { CgroupMemory = true, CgroupPids = true, CgroupProcsFiles = ["/cg/r/cgroup.procs"] }));

        Assert.Contains($"ulimit -v {((128L * 4) + 1024) * 1024}", script, StringComparison.Ordinal);
        Assert.Contains($"ulimit -p {SandboxCommandLine.ProcessBackstop}", script, StringComparison.Ordinal);
        // Per-process limits that no cgroup replaces stay exact.
        Assert.Contains("ulimit -S -t 7", script, StringComparison.Ordinal);
        Assert.Contains($"ulimit -f {16 * 2048}", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_hands_the_seccomp_program_to_bwrap_on_fd_4_when_a_filter_file_is_given()
    {
        var launch = Build(Spec() with { SeccompFile = "/srv/runs/seccomp-1.bpf" });
        var argv = launch.Argv.ToList();
        var script = Wrapper(launch);

        Assert.Contains("exec 3<\"$1\" && exec 4<\"$2\" && ulimit", script, StringComparison.Ordinal);
        // No extra process in the chain: everything in the wrapper is a shell builtin.
        Assert.DoesNotContain("rm ", script, StringComparison.Ordinal);
        Assert.Equal(["/srv/runs/.r-1.args", "/srv/runs/seccomp-1.bpf"], argv[4..6]);
        Assert.Equal("4", argv[argv.IndexOf("--seccomp") + 1]);
        Assert.True(argv.IndexOf("--seccomp") < argv.IndexOf("--"));
        Assert.DoesNotContain("--seccomp", Build().Argv);
    }

    [Fact]
    public void Build_confines_with_every_namespace_and_no_capability_when_composing()
    {
        var argv = Build().Argv;

        foreach (var flag in new[] { "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session" })
        {
            Assert.Contains(flag, argv);
        }

        Assert.Equal("bulwark-job", argv[argv.ToList().IndexOf("--hostname") + 1]);
        Assert.Equal("ALL", argv[argv.ToList().IndexOf("--cap-drop") + 1]);
    }

    [Fact]
    public void Build_mounts_only_the_runtime_tmp_and_work_dir_when_composing()
    {
        var argv = string.Join(' ', Build().Argv);

        Assert.Contains("--ro-bind /usr /usr", argv, StringComparison.Ordinal);
        Assert.Contains("--symlink usr/bin /bin", argv, StringComparison.Ordinal);
        Assert.Contains("--ro-bind /lib64 /lib64", argv, StringComparison.Ordinal);
        Assert.Contains("--ro-bind-try /etc/passwd /etc/passwd", argv, StringComparison.Ordinal);
        Assert.Contains($"--size {16L * 1024 * 1024} --tmpfs /tmp", argv, StringComparison.Ordinal);
        Assert.Contains("--bind /srv/runs/r-1 /work --remount-ro / --chdir /work -- /bin/sh -c echo hi", argv, StringComparison.Ordinal);
        Assert.Contains($"--dev /dev --size {16L * 1024 * 1024} --tmpfs /dev/shm --remount-ro /dev", argv, StringComparison.Ordinal);
        Assert.DoesNotContain("shadow", argv, StringComparison.Ordinal);
        Assert.DoesNotContain("/var", argv, StringComparison.Ordinal);
        Assert.DoesNotContain("/home", argv, StringComparison.Ordinal);
        Assert.DoesNotContain("/run/bulwark", argv, StringComparison.Ordinal);
        Assert.DoesNotContain("--bind / ", argv, StringComparison.Ordinal);
        // The only writable bind is the run's own work dir.
        Assert.Single(Build().Argv, a => a == "--bind");
    }

    [Fact]
    public void Build_mounts_the_runtime_socket_read_only_and_names_it_when_the_request_has_one()
    {
        var launch = Build(Spec() with { RuntimeSocket = "/var/lib/bulwark/runtime.sock" });
        var argv = string.Join(' ', launch.Argv);

        // BOX-3: only the socket, read-only, under a directory of its own.
        Assert.Contains("--dir /run/bulwark --ro-bind /var/lib/bulwark/runtime.sock /run/bulwark/runtime.sock", argv, StringComparison.Ordinal);
        Assert.Single(launch.Argv, a => a == "--bind");
        Assert.Equal(["--setenv", "BULWARK_RUNTIME_SOCKET", SandboxRequest.RuntimeSocketInside], launch.PrivateArgs.TakeLast(3));
    }

    [Fact]
    public void Build_keeps_the_environment_off_the_command_line_when_variables_are_given()
    {
        var launch = Build(Spec(new Dictionary<string, string>
        {
            ["TOKEN"] = "s3cret", ["PATH"] = "/work", ["TMPDIR"] = "/x", ["BULWARK_RUNTIME_SOCKET"] = "/evil",
        }));

        Assert.DoesNotContain(launch.Argv, a => a.Contains("s3cret", StringComparison.Ordinal) || a == "--setenv" || a == "--clearenv");
        Assert.Equal(["--args", "3"], launch.Argv.SkipWhile(a => a != "--args").Take(2));
        Assert.Equal(
            ["--clearenv", "--setenv", "TOKEN", "s3cret", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
             "--setenv", "HOME", "/work", "--setenv", "TMPDIR", "/tmp"],
            launch.PrivateArgs);
        Assert.Equal("--clearenv\0--setenv\0TOKEN\0s3cret\0"u8.ToArray(), launch.PrivateFile[..33]);
    }

    [Fact]
    public void Build_execs_bwrap_straight_after_setpriv_so_it_dies_with_the_server_when_composing()
    {
        var argv = Build().Argv.ToList();

        // BOX-4: bwrap's parent is the server (see LaunchThread), so --die-with-parent ends the run
        // when the server dies; no `timeout` process sits between them.
        Assert.DoesNotContain(Tools.Timeout, argv);
        Assert.Contains("--die-with-parent", argv);
        Assert.Equal(Tools.Bwrap, argv[argv.IndexOf("--no-new-privs") + 1]);
    }

    [Fact]
    public void BuildUnconfined_adds_a_wall_clock_backstop_beyond_the_timeout_when_composing()
    {
        var argv = CommandLine().BuildUnconfined(Spec(new Dictionary<string, string>()), home: "/srv/runs/r-1", tmp: "/srv/runs/r-1/tmp").Argv.ToList();

        var timeout = argv.IndexOf(Tools.Timeout);
        Assert.Equal(["--signal=KILL", "25"], argv.Skip(timeout + 1).Take(2));
    }

    [Fact]
    public void BuildUnconfined_runs_the_command_after_the_same_prefix_without_bwrap_when_composing()
    {
        var launch = CommandLine().BuildUnconfined(
            Spec(new Dictionary<string, string> { ["QUOTE"] = "it's $HOME `x`" }), home: "/srv/runs/r-1", tmp: "/srv/runs/r-1/tmp");
        var argv = launch.Argv.ToList();
        var script = System.Text.Encoding.UTF8.GetString(launch.PrivateFile);

        Assert.DoesNotContain(argv, a => a.Contains("bwrap", StringComparison.Ordinal));
        Assert.True(argv.IndexOf(Tools.Setpriv) < argv.IndexOf(Tools.Timeout));
        Assert.Equal(["/bin/sh", "-c", "echo hi"], argv[^3..]);
        Assert.Contains("ulimit -p 32", Wrapper(launch), StringComparison.Ordinal);
        // Values reach the job literally, through single quotes, and never on a command line.
        Assert.Contains("export QUOTE='it'\\''s $HOME `x`'\n", script, StringComparison.Ordinal);
        Assert.Contains("export HOME='/srv/runs/r-1'\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain(argv, a => a.Contains("it's", StringComparison.Ordinal));
    }

    [Fact]
    public void BuildUnconfined_refuses_an_environment_name_when_a_shell_cannot_set_it()
    {
        var error = Assert.Throws<Bulwark.Core.Errors.InvalidPayloadException>(() => CommandLine().BuildUnconfined(
            Spec(new Dictionary<string, string> { ["A-B"] = "x" }), "/h", "/t"));

        Assert.Equal("invalid_environment", error.Code);
    }

    [Theory]
    [InlineData("A=B", "x")]
    [InlineData("", "x")]
    [InlineData("A\0B", "x")]
    public void Build_refuses_an_environment_name_when_it_is_invalid(string name, string value)
    {
        var error = Assert.Throws<Bulwark.Core.Errors.InvalidPayloadException>(
            () => Build(Spec(new Dictionary<string, string> { [name] = value })));

        Assert.Equal("invalid_environment", error.Code);
    }

    [Fact]
    public void Build_refuses_a_command_when_it_is_empty()
    {
        Assert.Throws<Bulwark.Core.Errors.InvalidPayloadException>(() => CommandLine([]).Build(Spec() with { Command = [] }));
    }
}
