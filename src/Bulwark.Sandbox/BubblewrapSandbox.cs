using System.Diagnostics;
using Bulwark.Core.Errors;
using Bulwark.Core.Sandbox;
using Bulwark.Core.Templates;
using Bulwark.Sandbox.Cgroups;
using Bulwark.Sandbox.Seccomp;

namespace Bulwark.Sandbox;

/// <summary>
/// Runs script jobs under bubblewrap as an unprivileged host uid (BOX-1..5). The server runs as
/// root, so the drop to <see cref="BubblewrapOptions.Uid"/> is done here, before bwrap starts.
/// Limits: rlimits always, per-run cgroups where the host allows (see <see cref="CgroupController"/>);
/// syscalls: the <see cref="SeccompFilter"/>.
/// </summary>
/// <remarks>
/// Host requirement: pid 1 must reap orphans (systemd, or <c>docker run --init</c>). bwrap's
/// outer process exits as soon as its PID-namespace init reports the job's status, without
/// reaping that init; the init is reparented to pid 1, and until it is reaped its zombie counts
/// against the job uid's RLIMIT_NPROC (a loose backstop when cgroups give each run its pids.max).
/// </remarks>
public sealed class BubblewrapSandbox : ISandbox
{
    private readonly BubblewrapOptions _options;
    private readonly string _workRoot;
    private readonly Lazy<SandboxState> _state;

    public BubblewrapSandbox(BubblewrapOptions options)
    {
        BubblewrapOptions.Validate(options);

        _options = options;
        _workRoot = Path.GetFullPath(options.WorkRoot);
        _state = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Probed once, on first use, by running <c>/bin/true</c> through the real sandbox (BOX-5);
    /// the cgroup mode is detected then too, never again per run.
    /// </summary>
    public SandboxHealth Health => _state.Value.Health;

    /// <summary>The cgroup mode detected at start, or null when the sandbox is unusable.</summary>
    internal CgroupController? Cgroups => _state.Value.Host?.Cgroups;

    public async Task<SandboxResult> RunAsync(SandboxRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (host, commandLine) = _state.Value.RequireUsable();

        return await host.RunAsync(request, commandLine.Build, privateTmp: false, ct).ConfigureAwait(false);
    }

    private SandboxState Probe()
    {
        static SandboxState Unusable(string detail, string limits = "rlimits only") =>
            SandboxState.Unusable(new SandboxHealth(false, "bwrap", detail) { Limits = limits });

        if (!OperatingSystem.IsLinux())
        {
            return Unusable("The bubblewrap sandbox needs Linux.");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return Unusable($"The server is not running as root, so it cannot start jobs as uid {_options.Uid}.");
        }

        var path = Environment.GetEnvironmentVariable("PATH");
        var bwrap = ExecutableLocator.Find(_options.BwrapPath, path);
        if (bwrap is null)
        {
            return Unusable($"bubblewrap ('{_options.BwrapPath}') was not found on PATH; install it with apt-get install bubblewrap.");
        }

        var setpriv = ExecutableLocator.Find(_options.SetprivPath, path);
        if (setpriv is null)
        {
            return Unusable("setpriv was not found on PATH; install it with apt-get install util-linux.");
        }

        var timeout = ExecutableLocator.Find("timeout", path);
        var shell = ExecutableLocator.Find("/bin/sh", path);
        if (timeout is null || shell is null)
        {
            return Unusable("timeout or /bin/sh was not found; install them with apt-get install coreutils dash.");
        }

        try
        {
            // Built once here only to learn whether this architecture has a filter; each run writes its own file.
            _ = SeccompFilter.Build();
        }
        catch (PlatformNotSupportedException e)
        {
            return Unusable($"Script jobs are refused: {e.Message}");
        }

        if (WorkRoot.Prepare(_workRoot) is { } workRootProblem)
        {
            return Unusable(workRootProblem);
        }

        var cgroups = CgroupDetector.Detect();
        var version = BwrapVersion(bwrap);
        var commandLine = new SandboxCommandLine(
            new SandboxTools(shell, setpriv, timeout, bwrap), _options.Uid, _options.Gid, HostLayout.ReadRuntimeRoots());
        var host = new RunHost(_options.Uid, _options.Gid, _workRoot, cgroups, seccomp: true);

        SandboxResult result;
        try
        {
            var request = new SandboxRequest
            {
                RunId = "health-probe",
                Command = ["/bin/true"],
                Environment = new Dictionary<string, string>(),
                Limits = new ResourceLimits { TimeoutSeconds = 10 },
            };
            result = host.RunAsync(request, commandLine.Build, privateTmp: false, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or UnavailableException)
        {
            return Unusable($"The sandbox self-test could not start: {e.Message}", cgroups.Description);
        }

        if (result is not { Termination: SandboxTermination.Exited, ExitCode: 0 })
        {
            var why = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault() ?? $"it ended with {result.Termination.ToName()} {result.ExitCode}";
            return Unusable($"The sandbox self-test (/bin/true under bwrap as uid {_options.Uid}) failed: {why}", cgroups.Description);
        }

        return new SandboxState(new SandboxHealth(true, "bwrap", $"{version}, uid {_options.Uid}") { Limits = cgroups.Description }, host, commandLine);
    }

    private static string BwrapVersion(string bwrap)
    {
        try
        {
            var startInfo = new ProcessStartInfo(bwrap, "--version") { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(startInfo)!;
            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return text.Length > 0 ? text : "bubblewrap";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "bubblewrap";
        }
    }
}
