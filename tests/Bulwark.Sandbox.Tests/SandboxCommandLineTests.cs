using Bulwark.Core.Templates;

namespace Bulwark.Sandbox.Tests;

/// <summary>The composition itself, checked without running it: order and presence of each layer.</summary>
public sealed class SandboxCommandLineTests
{
    private static readonly SandboxTools Tools = new("/bin/sh", "/usr/bin/setpriv", "/usr/bin/prlimit", "/usr/bin/timeout", "/usr/bin/bwrap");

    private static readonly ResourceLimits Limits = new()
    {
        MemoryMb = 128, CpuSeconds = 7, TimeoutSeconds = 20, MaxProcesses = 32, TmpMb = 16, OutputKb = 64,
    };

    private static SandboxLaunch Build(
        IReadOnlyList<RootEntry>? roots = null,
        IReadOnlyDictionary<string, string>? env = null) =>
        new SandboxCommandLine(Tools, 65534, 65534, roots ?? [new RootEntry("/bin", "usr/bin"), new RootEntry("/lib64", null)])
            .Build(Limits, "/srv/runs/r-1", "/srv/runs/.r-1.args", ["/bin/sh", "-c", "echo hi"], env ?? new Dictionary<string, string>());

    [Fact]
    public void Build_drops_root_before_limits_and_limits_before_bwrap_when_composing()
    {
        var argv = Build().Argv;

        var setpriv = argv.ToList().IndexOf(Tools.Setpriv);
        var prlimit = argv.ToList().IndexOf(Tools.Prlimit);
        var bwrap = argv.ToList().IndexOf(Tools.Bwrap);
        Assert.Equal(Tools.Shell, argv[0]);
        Assert.True(setpriv > 0 && setpriv < prlimit && prlimit < bwrap);
        Assert.Equal(
            ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"],
            argv.Skip(setpriv + 1).Take(6));
    }

    [Fact]
    public void Build_sets_every_rlimit_from_the_limits_when_composing()
    {
        var argv = Build().Argv;

        Assert.Contains("--cpu=7:8", argv);
        Assert.Contains($"--as={128L * 1024 * 1024}", argv);
        Assert.Contains("--nproc=32", argv);
        Assert.Contains("--nofile=256", argv);
        Assert.Contains($"--fsize={16L * 1024 * 1024}", argv);
        Assert.Contains("--core=0", argv);
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
        Assert.Contains("--bind /srv/runs/r-1 /work --chdir /work -- /bin/sh -c echo hi", argv, StringComparison.Ordinal);
        Assert.DoesNotContain("shadow", argv, StringComparison.Ordinal);
        Assert.DoesNotContain("/var", argv, StringComparison.Ordinal);
        Assert.DoesNotContain("/home", argv, StringComparison.Ordinal);
        Assert.DoesNotContain("--bind / ", argv, StringComparison.Ordinal);
        // The only writable bind is the run's own work dir.
        Assert.Single(Build().Argv, a => a == "--bind");
    }

    [Fact]
    public void Build_keeps_the_environment_off_the_command_line_when_variables_are_given()
    {
        var launch = Build(env: new Dictionary<string, string> { ["TOKEN"] = "s3cret", ["PATH"] = "/work", ["TMPDIR"] = "/x" });

        Assert.DoesNotContain(launch.Argv, a => a.Contains("s3cret", StringComparison.Ordinal) || a == "--setenv" || a == "--clearenv");
        Assert.Equal(["--args", "3"], launch.Argv.SkipWhile(a => a != "--args").Take(2));
        Assert.Equal(
            ["--clearenv", "--setenv", "TOKEN", "s3cret", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
             "--setenv", "HOME", "/work", "--setenv", "TMPDIR", "/tmp"],
            launch.PrivateArgs);
    }

    [Fact]
    public void Build_adds_a_wall_clock_backstop_beyond_the_timeout_when_composing()
    {
        var argv = Build().Argv.ToList();

        var timeout = argv.IndexOf(Tools.Timeout);
        Assert.Equal(["--signal=KILL", "25"], argv.Skip(timeout + 1).Take(2));
        Assert.True(timeout < argv.IndexOf(Tools.Bwrap));
    }

    [Theory]
    [InlineData("A=B", "x")]
    [InlineData("", "x")]
    [InlineData("A\0B", "x")]
    public void Build_refuses_an_environment_name_when_it_is_invalid(string name, string value)
    {
        var error = Assert.Throws<Bulwark.Core.Errors.InvalidPayloadException>(
            () => Build(env: new Dictionary<string, string> { [name] = value }));

        Assert.Equal("invalid_environment", error.Code);
    }

    [Fact]
    public void Build_refuses_a_command_when_it_is_empty()
    {
        var commandLine = new SandboxCommandLine(Tools, 65534, 65534, []);

        Assert.Throws<Bulwark.Core.Errors.InvalidPayloadException>(
            () => commandLine.Build(Limits, "/w", "/a", [], new Dictionary<string, string>()));
    }
}
