using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Bulwark.Core.Errors;
using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox;

/// <summary>
/// Builds the one command line every script job runs under (BOX-1, BOX-2). Each layer exists
/// for a reason noted beside it; the order matters: enter the run's cgroup and lower the limits
/// while still root (an unprivileged process can lower its hard limits but never raise them, and
/// cannot leave its cgroup), drop root, then enter the namespaces. The same prefix serves the
/// unconfined development mode (BOX-5), which only swaps bwrap for a plain exec.
/// </summary>
internal sealed partial class SandboxCommandLine(SandboxTools tools, int uid, int gid, IReadOnlyList<RootEntry> runtimeRoots)
{
    /// <summary>fd on which the wrapper shell hands <see cref="SandboxLaunch.PrivateFile"/> on.</summary>
    public const int PrivateArgsFd = 3;

    /// <summary>fd on which the wrapper shell hands the seccomp program to <c>bwrap --seccomp</c>.</summary>
    public const int SeccompFd = 4;

    public const string Hostname = "bulwark-job";
    public const string SandboxPath = "/usr/local/bin:/usr/bin:/bin";
    public const int OpenFilesLimit = 256;

    /// <summary>
    /// RLIMIT_NPROC when a per-run pids.max is in force. RLIMIT_NPROC counts every process of
    /// the host uid, all runs together, so at <c>max_processes</c> one run's fork bomb would stop
    /// every other run from forking; pids.max is the real limit then, and this only a backstop
    /// should the cgroup somehow not apply.
    /// </summary>
    public const int ProcessBackstop = 4096;

    /// <summary>Seconds the host-side `timeout` backstop waits beyond the run's own timeout.</summary>
    public const int BackstopGraceSeconds = 5;

    /// <summary>The job's name for its runtime API socket (BOX-3).</summary>
    public const string RuntimeSocketVariable = "BULWARK_RUNTIME_SOCKET";

    /// <summary>
    /// The few /etc files ordinary programs need (loader cache, user names, time zone,
    /// alternatives symlinks). Never /etc/shadow, never the rest of /etc with its keys and configs.
    /// </summary>
    private static readonly string[] EtcFiles =
    [
        "/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group",
    ];

    /// <summary>Unconfined only: reads the environment from fd 3 as the job's uid, then becomes the job.</summary>
    private const string UnconfinedJobScript = "eval \"$(cat <&3)\" && exec 3<&- && exec \"$@\"";

    public SandboxLaunch Build(LaunchSpec spec)
    {
        var bwrap = tools.Bwrap ?? throw new InvalidOperationException("No bwrap to build a confined run with.");
        ValidateCommand(spec.Command);
        var argv = Prefix(spec, wallClockBackstop: false);
        argv.AddRange(
        [
            bwrap,
            "--args", Num(PrivateArgsFd),
            // New user, PID, mount, network, IPC, UTS and cgroup namespaces: the job sees no host
            // process, no host network (only its own `lo`), no host SysV IPC and no host name.
            // --unshare-user explicitly, because --unshare-all only *tries* it and --disable-userns needs it.
            "--unshare-all", "--unshare-user",
            // Nested user namespaces are the usual door to kernel attack surface (unprivileged
            // mounts, netfilter…); the job gets none.
            "--disable-userns",
            // If bwrap's parent dies, bwrap and everything in its PID namespace die with it (BOX-4):
            // the parent is the server itself, started from LaunchThread so that this fires when the
            // server dies and never when some pool thread retires (PR_SET_PDEATHSIG is per thread).
            "--die-with-parent",
            // setsid: without a controlling terminal the job cannot TIOCSTI keystrokes into one.
            "--new-session",
            "--hostname", Hostname,
            // Belt and braces: no capability inside the namespaces either.
            "--cap-drop", "ALL",
        ]);

        if (spec.SeccompFile is not null)
        {
            // Syscalls the namespaces do not neutralise (keyctl, bpf, perf_event_open, ptrace, …) get EPERM.
            argv.AddRange(["--seccomp", Num(SeccompFd)]);
        }

        // Read-only runtime: the job cannot plant binaries or libraries for the next job.
        argv.AddRange(["--ro-bind", "/usr", "/usr"]);
        foreach (var root in runtimeRoots)
        {
            if (root.SymlinkTarget is { } target)
            {
                argv.AddRange(["--symlink", target, root.Path]);
            }
            else
            {
                argv.AddRange(["--ro-bind", root.Path, root.Path]);
            }
        }

        foreach (var file in EtcFiles)
        {
            argv.AddRange(["--ro-bind-try", file, file]);
        }

        argv.AddRange(
        [
            // A /proc of the job's own PID namespace, a minimal /dev (null, zero, urandom, tty…),
            // read-only but for its own size-limited /dev/shm (POSIX shared memory): a writable /dev
            // would be memory the job fills without any limit.
            "--proc", "/proc",
            "--dev", "/dev",
            "--size", Num((long)spec.Limits.TmpMb * 1024 * 1024), "--tmpfs", "/dev/shm",
            "--remount-ro", "/dev",
            // Private scratch space whose size is the disk limit (BOX-2): filling it fills only the job's tmpfs.
            "--size", Num((long)spec.Limits.TmpMb * 1024 * 1024), "--tmpfs", "/tmp",
        ]);

        if (spec.RuntimeSocket is { } socket)
        {
            ValidateSocket(socket);
            // BOX-3: the one way out. Read-only still lets the job connect (connect() needs write
            // permission on the socket inode, which a read-only mount does not take away), but it
            // cannot replace or remove the socket.
            argv.AddRange(["--dir", Path.GetDirectoryName(SandboxRequest.RuntimeSocketInside)!,
                "--ro-bind", socket, SandboxRequest.RuntimeSocketInside]);
        }

        argv.AddRange(
        [
            // The run's private, writable work dir; nothing else of the host is writable or visible.
            "--bind", spec.WorkDir, "/work",
            // bwrap's root is a tmpfs the job's uid owns: read-only, or the job could write files
            // anywhere (/, /etc) into memory with no size limit, outside /work and /tmp.
            "--remount-ro", "/",
            "--chdir", "/work",
            "--",
        ]);
        argv.AddRange(spec.Command);

        var privateArgs = PrivateArguments(spec.Environment, spec.RuntimeSocket is null ? null : SandboxRequest.RuntimeSocketInside);
        var content = new MemoryStream();
        foreach (var arg in privateArgs)
        {
            content.Write(Encoding.UTF8.GetBytes(arg));
            content.WriteByte(0);
        }

        return new SandboxLaunch(argv, privateArgs, content.ToArray());
    }

    /// <summary>
    /// BOX-5 development mode: the same cgroup, limits, uid drop and timeout, then the command
    /// itself instead of bwrap. The environment still travels privately, and is only turned into
    /// variables after the drop: the root half of the chain never sees it (an LD_PRELOAD in it
    /// would otherwise be loaded into a root process).
    /// </summary>
    public SandboxLaunch BuildUnconfined(LaunchSpec spec, string home, string tmp)
    {
        ValidateCommand(spec.Command);
        var argv = Prefix(spec, wallClockBackstop: true);
        argv.AddRange([tools.Shell, "-c", UnconfinedJobScript, "bulwark-job"]);
        argv.AddRange(spec.Command);

        var script = new StringBuilder();
        foreach (var (name, value) in JobEnvironment(spec.Environment, home, tmp, null))
        {
            if (!ShellName().IsMatch(name))
            {
                throw new InvalidPayloadException(
                    $"The environment variable '{name.Replace("\0", "", StringComparison.Ordinal)}' cannot be set without a sandbox: use letters, digits and underscores.",
                    "invalid_environment");
            }

            // Single quotes take everything literally; a quote itself is closed, escaped, reopened.
            script.Append("export ").Append(name).Append("='").Append(value.Replace("'", "'\\''", StringComparison.Ordinal)).Append("'\n");
        }

        return new SandboxLaunch(argv, [], Encoding.UTF8.GetBytes(script.ToString()));
    }

    /// <summary>
    /// The job's environment is exactly the request's, plus the platform's PATH, HOME, TMPDIR (and
    /// the runtime socket), which win over the request's: they describe the sandbox's layout (the
    /// only writable places are /work and /tmp, the only binaries those under /usr), which the
    /// platform owns. A template that wants another value can still export it inside its own script.
    /// </summary>
    internal static IReadOnlyList<string> PrivateArguments(IReadOnlyDictionary<string, string> environment, string? runtimeSocket = null)
    {
        // Nothing of the server's environment reaches the job: bwrap starts from an empty one.
        var args = new List<string> { "--clearenv" };
        foreach (var (name, value) in JobEnvironment(environment, "/work", "/tmp", runtimeSocket))
        {
            args.AddRange(["--setenv", name, value]);
        }

        return args;
    }

    private static List<(string Name, string Value)> JobEnvironment(
        IReadOnlyDictionary<string, string> environment, string home, string tmp, string? runtimeSocket)
    {
        var result = new List<(string, string)>();
        foreach (var (name, value) in environment)
        {
            // The private args are NUL-separated: a NUL in a name or value would smuggle extra bwrap
            // options (say, `--bind / /host`) into the sandbox's own configuration.
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0') || value.Contains('\0'))
            {
                throw new InvalidPayloadException(
                    $"The environment variable '{name.Replace("\0", "", StringComparison.Ordinal)}' has an invalid name or value.",
                    "invalid_environment");
            }

            if (name is "PATH" or "HOME" or "TMPDIR" or RuntimeSocketVariable)
            {
                continue;
            }

            result.Add((name, value));
        }

        result.Add(("PATH", SandboxPath));
        result.Add(("HOME", home));
        result.Add(("TMPDIR", tmp));
        if (runtimeSocket is not null)
        {
            result.Add((RuntimeSocketVariable, runtimeSocket));
        }

        return result;
    }

    /// <summary>
    /// The root-run wrapper shell, setpriv and, where nothing else ends the run if the server
    /// dies, the `timeout` backstop. Everything here uses shell builtins (exec, echo, ulimit), so
    /// the confined chain costs two execs before bwrap and no extra fork.
    /// </summary>
    /// <param name="wallClockBackstop">
    /// Unconfined runs only: they have no bwrap <c>--die-with-parent</c>, so if the server dies
    /// mid-run only `timeout` still ends them at the wall clock. A confined run dies with the server.
    /// </param>
    private List<string> Prefix(LaunchSpec spec, bool wallClockBackstop)
    {
        var limits = spec.Limits;
        var steps = new List<string>();
        var positional = new List<string> { spec.PrivateFile };
        if (spec.SeccompFile is not null)
        {
            positional.Add(spec.SeccompFile);
        }

        // Into the run's cgroup first, before anything of the run exists: every later fork is
        // born inside it, and it is how teardown finds them all (v1: one per hierarchy).
        foreach (var procs in spec.CgroupProcsFiles)
        {
            positional.Add(procs);
            steps.Add($"echo $$ >\"${{{positional.Count}}}\"");
        }

        // fds it opens explicitly are not close-on-exec, so bwrap inherits them through setpriv.
        // The files are not removed here: an `rm` would cost a fork and an exec per run (about a
        // fifth of a /bin/true run); RunHost deletes them when the run ends, and at start any a
        // crashed server left. Root-only 0600 in a root-only directory meanwhile.
        steps.Add($"exec {PrivateArgsFd}<\"$1\"");
        if (spec.SeccompFile is not null)
        {
            steps.Add($"exec {SeccompFd}<\"$2\"");
        }

        // rlimits always (BOX-2), as shell builtins rather than a separate `prlimit` exec (dash
        // has all of them). Set as root but inherited through the drop: the unprivileged job can
        // lower them further, never raise them.
        // CPU: SIGXCPU at the soft limit, SIGKILL one second later if it is ignored.
        steps.Add($"ulimit -t {Num(limits.CpuSeconds + 1)}");
        steps.Add($"ulimit -S -t {Num(limits.CpuSeconds)}");
        // Address space: without a memory cgroup a hog fails its allocations instead of pushing the
        // host into OOM. With one, the cgroup is the limit (for the whole tree) and this is only a
        // backstop: at memory_mb it would break programs that reserve far more address space than
        // they use (Go, the JVM, V8) and hide the real memory_limit outcome.
        var addressSpaceMb = spec.CgroupMemory ? (long)limits.MemoryMb * 4 + 1024 : limits.MemoryMb;
        steps.Add($"ulimit -v {Num(addressSpaceMb * 1024)}");
        // Fork bombs: pids.max per run when there is a cgroup (see ProcessBackstop), else this.
        steps.Add($"ulimit -p {Num(spec.CgroupPids ? ProcessBackstop : limits.MaxProcesses)}");
        // fd exhaustion of the host's kernel tables.
        steps.Add($"ulimit -n {Num(OpenFilesLimit)}");
        // No single file larger than the job's scratch space (512-byte blocks): bounds what one write
        // can do to the host disk behind /work; the writer gets SIGXFSZ (file_size_limit).
        steps.Add($"ulimit -f {Num((long)limits.TmpMb * 2048)}");
        // Core dumps of untrusted code can land in host paths or host crash handlers.
        steps.Add("ulimit -c 0");
        steps.Add($"shift {Num(positional.Count)}");
        steps.Add("exec \"$@\"");

        var argv = new List<string> { tools.Shell, "-c", string.Join(" && ", steps), "bulwark-launch" };
        argv.AddRange(positional);
        argv.AddRange(
        [
            // Drop host root before anything of the job runs: the job must never be uid 0 on the
            // host, even for the instant before bwrap maps it; no supplementary groups (root's
            // groups open files), no inheritable or bounding capabilities (nothing to regain via
            // exec of a file with caps), and no_new_privs so setuid binaries in /usr stay inert.
            tools.Setpriv,
            $"--reuid={Num(uid)}", $"--regid={Num(gid)}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
        ]);
        if (wallClockBackstop)
        {
            // The server's own timer fires first and reports the timeout; this only acts if it died.
            argv.AddRange([tools.Timeout, "--signal=KILL", Num(limits.TimeoutSeconds + BackstopGraceSeconds)]);
        }

        return argv;
    }

    private static void ValidateCommand(IReadOnlyList<string> command)
    {
        if (command.Count == 0 || string.IsNullOrEmpty(command[0]))
        {
            throw new InvalidPayloadException("A sandboxed command needs at least a program name.", "invalid_command");
        }

        foreach (var arg in command)
        {
            // A NUL would be cut by execve and silently change the command.
            if (arg.Contains('\0'))
            {
                throw new InvalidPayloadException("A command argument contains a NUL character.", "invalid_command");
            }
        }
    }

    private static void ValidateSocket(string socket)
    {
        // Relative or NUL-laden paths would mount something other than the platform's socket.
        if (!Path.IsPathRooted(socket) || socket.Contains('\0'))
        {
            throw new ArgumentException("The runtime socket must be an absolute host path.", nameof(socket));
        }
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ShellName();
}
