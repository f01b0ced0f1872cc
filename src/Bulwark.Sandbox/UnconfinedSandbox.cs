using Bulwark.Core.Sandbox;
using Bulwark.Sandbox.Cgroups;

namespace Bulwark.Sandbox;

/// <summary>
/// <c>BULWARK_SANDBOX=none</c>, for development only (BOX-5): the command runs directly, with no
/// namespaces, no seccomp and the host's whole file system in view. What stays is everything
/// that does not need bubblewrap, through the very same code as <see cref="BubblewrapSandbox"/>:
/// a clean environment (the request's plus PATH, HOME, TMPDIR), the drop to the unprivileged
/// uid, rlimits, the run's cgroup where the host has them, timeout, output cap, cancellation.
/// The server decides when it may be used; this class only runs.
/// </summary>
/// <remarks>
/// Without a PID namespace, a daemon that double-forks leaves the process tree: only a cgroup
/// finds it again at the end of the run. On a host without cgroups it survives the run.
/// Environment names must be shell identifiers here (the variables are set by a shell after the drop).
/// <see cref="BubblewrapOptions.BwrapPath"/> is not used.
/// </remarks>
public sealed class UnconfinedSandbox : ISandbox
{
    public const string UnconfinedDetail = "UNCONFINED: jobs run without a sandbox (development only)";

    private readonly BubblewrapOptions _options;
    private readonly string _workRoot;
    private readonly Lazy<SandboxState> _state;

    public UnconfinedSandbox(BubblewrapOptions options)
    {
        BubblewrapOptions.Validate(options);

        _options = options;
        _workRoot = Path.GetFullPath(options.WorkRoot);
        _state = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public SandboxHealth Health => _state.Value.Health;

    /// <summary>The cgroup mode detected at start, or null when the sandbox is unusable.</summary>
    internal CgroupController? Cgroups => _state.Value.Host?.Cgroups;

    public async Task<SandboxResult> RunAsync(SandboxRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (host, commandLine) = _state.Value.RequireUsable();

        return await host.RunAsync(
            request,
            spec => commandLine.BuildUnconfined(spec, home: spec.WorkDir, tmp: Path.Combine(spec.WorkDir, "tmp")),
            privateTmp: true,
            ct).ConfigureAwait(false);
    }

    private SandboxState Probe()
    {
        static SandboxState Unusable(string detail) =>
            SandboxState.Unusable(new SandboxHealth(false, "none", $"{UnconfinedDetail}; cannot run: {detail}"));

        if (!OperatingSystem.IsLinux())
        {
            return Unusable("it needs Linux.");
        }

        // Dropping to the job uid needs root; running jobs as the server's own user would hand
        // them the server's files and secrets.
        if (!Environment.IsPrivilegedProcess)
        {
            return Unusable($"the server is not running as root, so it cannot start jobs as uid {_options.Uid}.");
        }

        var path = Environment.GetEnvironmentVariable("PATH");
        var setpriv = ExecutableLocator.Find(_options.SetprivPath, path);
        var timeout = ExecutableLocator.Find("timeout", path);
        var shell = ExecutableLocator.Find("/bin/sh", path);
        if (setpriv is null || timeout is null || shell is null)
        {
            return Unusable("setpriv, timeout or /bin/sh was not found; install util-linux, coreutils and dash.");
        }

        if (WorkRoot.Prepare(_workRoot) is { } problem)
        {
            return Unusable(problem);
        }

        var cgroups = CgroupDetector.Detect();
        var commandLine = new SandboxCommandLine(new SandboxTools(shell, setpriv, timeout, Bwrap: null), _options.Uid, _options.Gid, []);
        var host = new RunHost(_options.Uid, _options.Gid, _workRoot, cgroups, seccomp: false);
        return new SandboxState(new SandboxHealth(true, "none", UnconfinedDetail) { Limits = cgroups.Description }, host, commandLine);
    }
}
