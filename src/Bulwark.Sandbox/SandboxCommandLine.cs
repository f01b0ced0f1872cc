using System.Globalization;
using Bulwark.Core.Errors;
using Bulwark.Core.Templates;

namespace Bulwark.Sandbox;

/// <summary>
/// Builds the one command line every script job runs under (BOX-1, BOX-2). Each layer exists
/// for a reason noted beside it; the order matters: drop root first, then lower limits the
/// unprivileged process can no longer raise, then enter the namespaces.
/// </summary>
internal sealed class SandboxCommandLine(SandboxTools tools, int uid, int gid, IReadOnlyList<RootEntry> runtimeRoots)
{
    /// <summary>fd on which the wrapper shell hands <see cref="SandboxLaunch.PrivateArgs"/> to bwrap.</summary>
    public const int PrivateArgsFd = 3;

    public const string Hostname = "bulwark-job";
    public const string SandboxPath = "/usr/local/bin:/usr/bin:/bin";
    public const int OpenFilesLimit = 256;

    /// <summary>Seconds the host-side `timeout` backstop waits beyond the run's own timeout.</summary>
    public const int BackstopGraceSeconds = 5;

    /// <summary>
    /// The few /etc files ordinary programs need (loader cache, user names, time zone,
    /// alternatives symlinks). Never /etc/shadow, never the rest of /etc with its keys and configs.
    /// </summary>
    private static readonly string[] EtcFiles =
    [
        "/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group",
    ];

    public SandboxLaunch Build(
        ResourceLimits limits,
        string hostWorkDir,
        string privateArgsFile,
        IReadOnlyList<string> command,
        IReadOnlyDictionary<string, string> environment)
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

        var argv = new List<string>
        {
            // Runs as root only long enough to open the private args file on fd 3 and unlink it;
            // fds it opens explicitly are not close-on-exec, so bwrap inherits it through setpriv.
            tools.Shell, "-c", $"exec {PrivateArgsFd}<\"$0\" && rm -f -- \"$0\" && exec \"$@\"", privateArgsFile,

            // Drop host root before anything of the job runs: the job must never be uid 0 on the
            // host, even for the instant before bwrap maps it; no supplementary groups (root's
            // groups open files), no inheritable or bounding capabilities (nothing to regain via
            // exec of a file with caps), and no_new_privs so setuid binaries in /usr stay inert.
            tools.Setpriv,
            $"--reuid={Num(uid)}", $"--regid={Num(gid)}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",

            // rlimits always (BOX-2), set after the drop so the job cannot raise the hard limits.
            tools.Prlimit,
            // CPU: SIGXCPU at the soft limit, SIGKILL one second later if it is ignored.
            $"--cpu={Num(limits.CpuSeconds)}:{Num(limits.CpuSeconds + 1)}",
            // Address space: a memory hog fails its allocations instead of pushing the host into OOM.
            $"--as={Mib(limits.MemoryMb)}",
            // Fork bombs. NOTE: RLIMIT_NPROC counts every process of the host uid, so concurrent
            // runs share this budget until per-run cgroups (pids.max) arrive.
            $"--nproc={Num(limits.MaxProcesses)}",
            // fd exhaustion of the host's kernel tables.
            $"--nofile={Num(OpenFilesLimit)}",
            // No single file larger than the job's scratch space: bounds what one write can do to
            // the host disk behind /work (total /work usage is not bounded until quotas/cgroups).
            $"--fsize={Mib(limits.TmpMb)}",
            // Core dumps of untrusted code can land in host paths or host crash handlers.
            "--core=0",
            "--",

            // Backstop for BOX-4 if the server itself dies mid-run: nothing else would enforce the
            // wall clock then. The server's own timer fires first and reports the timeout.
            tools.Timeout, "--signal=KILL", Num(limits.TimeoutSeconds + BackstopGraceSeconds),

            tools.Bwrap,
            "--args", Num(PrivateArgsFd),
            // New user, PID, mount, network, IPC, UTS and cgroup namespaces: the job sees no host
            // process, no host network (only its own `lo`), no host SysV IPC and no host name.
            // --unshare-user explicitly, because --unshare-all only *tries* it and --disable-userns needs it.
            "--unshare-all", "--unshare-user",
            // Nested user namespaces are the usual door to kernel attack surface (unprivileged
            // mounts, netfilter…); the job gets none.
            "--disable-userns",
            // If bwrap is killed, its children die with it, and with the PID namespace's init gone
            // the kernel kills everything left in it (BOX-4).
            "--die-with-parent",
            // setsid: without a controlling terminal the job cannot TIOCSTI keystrokes into one.
            "--new-session",
            "--hostname", Hostname,
            // Belt and braces: no capability inside the namespaces either.
            "--cap-drop", "ALL",
            // Read-only runtime: the job cannot plant binaries or libraries for the next job.
            "--ro-bind", "/usr", "/usr",
        };

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
            // A /proc of the job's own PID namespace, a minimal /dev (null, zero, urandom, tty…).
            "--proc", "/proc",
            "--dev", "/dev",
            // Private scratch space whose size is the disk limit (BOX-2): filling it fills only the job's tmpfs.
            "--size", Num((long)limits.TmpMb * 1024 * 1024), "--tmpfs", "/tmp",
            // The run's private, writable work dir; nothing else of the host is writable or visible.
            "--bind", hostWorkDir, "/work",
            "--chdir", "/work",
            "--",
        ]);
        argv.AddRange(command);

        return new SandboxLaunch(argv, PrivateArguments(environment));
    }

    /// <summary>
    /// The job's environment is exactly the request's, plus the platform's PATH, HOME and TMPDIR,
    /// which win over the request's: they describe the sandbox's layout (the only writable places
    /// are /work and /tmp, the only binaries those under /usr), which the platform owns. A template
    /// that wants another value can still export it inside its own script.
    /// </summary>
    internal static IReadOnlyList<string> PrivateArguments(IReadOnlyDictionary<string, string> environment)
    {
        // Nothing of the server's environment reaches the job: bwrap starts from an empty one.
        var args = new List<string> { "--clearenv" };
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

            if (name is "PATH" or "HOME" or "TMPDIR")
            {
                continue;
            }

            args.AddRange(["--setenv", name, value]);
        }

        args.AddRange(["--setenv", "PATH", SandboxPath]);
        args.AddRange(["--setenv", "HOME", "/work"]);
        args.AddRange(["--setenv", "TMPDIR", "/tmp"]);
        return args;
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Mib(int mb) => Num((long)mb * 1024 * 1024);
}
