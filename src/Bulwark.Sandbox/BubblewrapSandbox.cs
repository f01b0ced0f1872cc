using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Bulwark.Core.Errors;
using Bulwark.Core.Sandbox;
using Bulwark.Core.Templates;

namespace Bulwark.Sandbox;

/// <summary>
/// Runs script jobs under bubblewrap as an unprivileged host uid (BOX-1..5). The server runs as
/// root, so the drop to <see cref="BubblewrapOptions.Uid"/> is done here, before bwrap starts.
/// Seccomp and cgroups are not applied yet; rlimits are (see <see cref="SandboxCommandLine"/>).
/// </summary>
/// <remarks>
/// Host requirement: pid 1 must reap orphans (systemd, or <c>docker run --init</c>). bwrap's
/// outer process exits as soon as its PID-namespace init reports the job's status, without
/// reaping that init; the init is reparented to pid 1, and until it is reaped its zombie counts
/// against the job uid's RLIMIT_NPROC.
/// </remarks>
public sealed partial class BubblewrapSandbox : ISandbox
{
    private const string SetupPath = "/usr/bin:/bin";
    private static readonly Encoding StdinEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private static readonly TimeSpan TeardownLimit = TimeSpan.FromSeconds(10);

    private readonly BubblewrapOptions _options;
    private readonly string _workRoot;
    private readonly Lazy<(SandboxHealth Health, SandboxCommandLine? CommandLine)> _state;

    public BubblewrapSandbox(BubblewrapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.WorkRoot))
        {
            throw new ArgumentException("BubblewrapOptions.WorkRoot is required.", nameof(options));
        }

        // uid/gid 0 would hand the job host root: refuse the configuration outright (BOX-1).
        if (options.Uid <= 0 || options.Gid <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BubblewrapOptions.Uid and Gid must be unprivileged (greater than 0).");
        }

        _options = options;
        _workRoot = Path.GetFullPath(options.WorkRoot);
        _state = new Lazy<(SandboxHealth, SandboxCommandLine?)>(Probe, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Probed once, on first use, by running <c>/bin/true</c> through the real sandbox (BOX-5).</summary>
    public SandboxHealth Health => _state.Value.Health;

    public async Task<SandboxResult> RunAsync(SandboxRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (health, commandLine) = _state.Value;

        // BOX-5: refuse rather than run untrusted code with weaker confinement.
        if (!health.Usable || commandLine is null)
        {
            throw new UnavailableException(health.Detail, "sandbox_unavailable");
        }

        return await RunCoreAsync(commandLine, request, ct).ConfigureAwait(false);
    }

    private async Task<SandboxResult> RunCoreAsync(SandboxCommandLine commandLine, SandboxRequest request, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The bubblewrap sandbox needs Linux.");
        }

        // The run id names a directory: it must not be able to climb out of the work root.
        if (!RunIdPattern().IsMatch(request.RunId))
        {
            throw new InvalidPayloadException("The run id must match ^[a-zA-Z0-9_.:-]{1,100}$.", "invalid_run_id");
        }

        var limits = request.Limits;
        if (limits.MemoryMb < 1 || limits.CpuSeconds < 1 || limits.TimeoutSeconds < 1
            || limits.MaxProcesses < 1 || limits.TmpMb < 1 || limits.OutputKb < 1)
        {
            throw new InvalidPayloadException("Every resource limit must be at least 1.", "invalid_limits");
        }

        if (ct.IsCancellationRequested)
        {
            return new SandboxResult
            {
                Termination = SandboxTermination.Cancelled,
                Stdout = "",
                Stderr = "",
                Duration = TimeSpan.Zero,
            };
        }

        // Random suffix: a run id reused by a retry never lands in a leftover of an earlier attempt.
        var runName = $"{request.RunId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var workDir = Path.Combine(_workRoot, runName);
        var privateArgsFile = Path.Combine(_workRoot, $".{runName}.args");

        // Built (and validated) before anything exists on disk, so a refused request leaves nothing.
        var launch = commandLine.Build(limits, workDir, privateArgsFile, request.Command, request.Environment);
        try
        {
            CreateWorkDir(workDir);
            WritePrivateArgs(privateArgsFile, launch.PrivateArgs);
            return await ExecuteAsync(launch, request, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(privateArgsFile);
            // BOX-4: the work dir goes whatever happened. Every process that could write into it is
            // dead by now (ExecuteAsync waits for that), so this cannot race with the job.
            if (Directory.Exists(workDir))
            {
                Directory.Delete(workDir, recursive: true);
            }
        }
    }

    private static async Task<SandboxResult> ExecuteAsync(SandboxLaunch launch, SandboxRequest request, CancellationToken ct)
    {
        var limits = request.Limits;
        var startInfo = new ProcessStartInfo(launch.Argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in launch.Argv.Skip(1))
        {
            startInfo.ArgumentList.Add(arg);
        }

        // The setup chain runs partly as root: give it no server variable (LD_PRELOAD, secrets,
        // connection strings). The job's own environment travels separately, via fd 3.
        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = SetupPath;

        using var process = new Process { StartInfo = startInfo };
        var kill = new RunKill(process);
        var capture = new OutputCapture(limits.OutputKb * 1024, () => kill.Request(SandboxTermination.OutputLimit));

        InheritedDescriptors.SealAll();
        var stopwatch = Stopwatch.StartNew();
        process.Start();

        var stdout = capture.PumpStdoutAsync(process.StandardOutput.BaseStream);
        var stderr = capture.PumpStderrAsync(process.StandardError.BaseStream);
        var stdin = FeedStdinAsync(process, request.Stdin);

        // Always wait for the exit, never abandon a running job (BOX-4).
        var exited = process.WaitForExitAsync(CancellationToken.None);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(limits.TimeoutSeconds)))
        using (timeout.Token.Register(() => kill.Request(SandboxTermination.Timeout)))
        using (ct.Register(() => kill.Request(SandboxTermination.Cancelled)))
        {
            await Task.WhenAny(exited, kill.Requested).ConfigureAwait(false);
        }

        if (!exited.IsCompleted
            && await Task.WhenAny(exited, Task.Delay(TeardownLimit, CancellationToken.None)).ConfigureAwait(false) != exited)
        {
            // The ordered teardown (see RunKill) stalled: strike every process of the tree.
            kill.KillTree();
        }

        await exited.ConfigureAwait(false);

        // Only after the fallback can something of the tree outlive the chain's exit for a moment
        // (its namespace being torn down); return only once everything that ran is gone.
        await ProcessTree.WaitUntilGoneAsync(kill.Killed, TeardownLimit).ConfigureAwait(false);

        try
        {
            await Task.WhenAll(stdout, stderr, stdin).WaitAsync(TeardownLimit, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Some host process still holds a pipe end; what was captured so far is the output.
        }

        stopwatch.Stop();

        var reason = kill.Reason ?? (capture.Exceeded ? SandboxTermination.OutputLimit : null);
        return new SandboxResult
        {
            Termination = reason ?? SandboxTermination.Exited,
            ExitCode = reason is null ? process.ExitCode : null,
            Stdout = capture.Stdout,
            Stderr = capture.Stderr,
            Duration = stopwatch.Elapsed,
        };
    }

    private static async Task FeedStdinAsync(Process process, string input)
    {
        var stream = process.StandardInput.BaseStream;
        try
        {
            if (input.Length > 0)
            {
                await stream.WriteAsync(StdinEncoding.GetBytes(input)).ConfigureAwait(false);
                await stream.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The job exited or closed stdin without reading it all: not an error of the run.
        }
        finally
        {
            try
            {
                // EOF, so a job that reads stdin to the end does not wait forever.
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Same: the read end is already gone.
            }
        }
    }

    [SupportedOSPlatform("linux")]
    private void CreateWorkDir(string workDir)
    {
        // 0700 and owned by the job's uid: readable by that uid and root only, never by other host users.
        Directory.CreateDirectory(workDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Libc.LChown(workDir, (uint)_options.Uid, (uint)_options.Gid) != 0)
        {
            throw new IOException($"Could not hand the work dir {workDir} to uid {_options.Uid} (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    [SupportedOSPlatform("linux")]
    private static void WritePrivateArgs(string path, IReadOnlyList<string> args)
    {
        // CreateNew (O_EXCL) so a planted file or symlink is never written through; 0600 root, so
        // no other host user can read the job's environment while it waits to be picked up.
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var file = new FileStream(path, options);
        foreach (var arg in args)
        {
            file.Write(Encoding.UTF8.GetBytes(arg));
            file.WriteByte(0);
        }
    }

    private (SandboxHealth, SandboxCommandLine?) Probe()
    {
        static (SandboxHealth, SandboxCommandLine?) Unusable(string detail) => (new SandboxHealth(false, "bwrap", detail), null);

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
        var prlimit = ExecutableLocator.Find("prlimit", path);
        if (setpriv is null || prlimit is null)
        {
            return Unusable("setpriv or prlimit was not found on PATH; install them with apt-get install util-linux.");
        }

        var timeout = ExecutableLocator.Find("timeout", path);
        var shell = ExecutableLocator.Find("/bin/sh", path);
        if (timeout is null || shell is null)
        {
            return Unusable("timeout or /bin/sh was not found; install them with apt-get install coreutils dash.");
        }

        if (PrepareWorkRoot() is { } workRootProblem)
        {
            return Unusable(workRootProblem);
        }

        var version = BwrapVersion(bwrap);
        var commandLine = new SandboxCommandLine(
            new SandboxTools(shell, setpriv, prlimit, timeout, bwrap), _options.Uid, _options.Gid, HostLayout.ReadRuntimeRoots());

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
            result = RunCoreAsync(commandLine, request, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return Unusable($"The sandbox self-test could not start: {e.Message}");
        }

        if (result is not { Termination: SandboxTermination.Exited, ExitCode: 0 })
        {
            var why = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault() ?? $"it ended with {result.Termination.ToName()} {result.ExitCode}";
            return Unusable($"The sandbox self-test (/bin/true under bwrap as uid {_options.Uid}) failed: {why}");
        }

        return (new SandboxHealth(true, "bwrap", $"{version}, uid {_options.Uid}"), commandLine);
    }

    /// <summary>Creates the work root when missing and checks nobody but root can plant things in it.</summary>
    [SupportedOSPlatform("linux")]
    private string? PrepareWorkRoot()
    {
        try
        {
            var info = new DirectoryInfo(_workRoot);
            if (info.Exists && info.LinkTarget is not null)
            {
                return $"The work root {_workRoot} is a symlink; point WorkRoot at a real directory.";
            }

            // 0711: uid 65534 must traverse it for bwrap to bind its run dir, but must not list it.
            const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if (!info.Exists)
            {
                Directory.CreateDirectory(_workRoot, mode);
            }

            // Group/other write would let another user swap a run dir for a symlink between our
            // mkdir and bwrap's bind.
            if ((File.GetUnixFileMode(_workRoot) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            {
                return $"The work root {_workRoot} is writable by group or others; make it root-owned with mode 0711.";
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"The work root {_workRoot} cannot be used: {e.Message}";
        }
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

    [GeneratedRegex("^[a-zA-Z0-9_.:-]{1,100}$", RegexOptions.CultureInvariant)]
    private static partial Regex RunIdPattern();
}
