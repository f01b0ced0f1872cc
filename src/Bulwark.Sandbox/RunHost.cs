using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Bulwark.Core.Errors;
using Bulwark.Core.Sandbox;
using Bulwark.Sandbox.Cgroups;

namespace Bulwark.Sandbox;

/// <summary>
/// Everything around one run that does not depend on how it is confined, shared by
/// <see cref="BubblewrapSandbox"/> and <see cref="UnconfinedSandbox"/>: request checks, the
/// run's work dir, private files and cgroup, starting the chain, output capping, timeout,
/// cancellation, limit watching, killing, the reason the run ended, and the cleanup (BOX-2, BOX-4).
/// </summary>
internal sealed partial class RunHost(int uid, int gid, string workRoot, CgroupController cgroups, bool seccomp)
{
    private const string SetupPath = "/usr/bin:/bin";
    private const int SigXcpuExit = 128 + 24;
    private const int SigXfszExit = 128 + 25;
    private const int SigKillExit = 128 + 9;
    private static readonly Encoding StdinEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private static readonly TimeSpan TeardownLimit = TimeSpan.FromSeconds(10);

    /// <summary>How often a run's cgroup is checked for a limit hit. A fork bomb sits at pids.max meanwhile.</summary>
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(50);

    public CgroupController Cgroups => cgroups;

    /// <param name="build">Turns the run's files and cgroup into the command line (confined or not).</param>
    /// <param name="privateTmp">Create <c>tmp</c> in the work dir (unconfined runs have no tmpfs of their own).</param>
    public async Task<SandboxResult> RunAsync(
        SandboxRequest request, Func<LaunchSpec, SandboxLaunch> build, bool privateTmp, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Script jobs need Linux.");
        }

        // The run id names a directory and a cgroup: it must not be able to climb out of either root.
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
            return new SandboxResult { Termination = SandboxTermination.Cancelled, Stdout = "", Stderr = "", Duration = TimeSpan.Zero };
        }

        // Random suffix: a run id reused by a retry never lands in a leftover of an earlier attempt.
        var runName = $"{request.RunId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var workDir = Path.Combine(workRoot, runName);
        var privateFile = Path.Combine(workRoot, $".{runName}.args");
        var spec = new LaunchSpec
        {
            Limits = limits,
            WorkDir = workDir,
            PrivateFile = privateFile,
            Command = request.Command,
            Environment = request.Environment,
            RuntimeSocket = request.RuntimeSocket,
            CgroupMemory = cgroups.EnforcesMemory,
            CgroupPids = cgroups.EnforcesProcesses,
        };

        // Built (and validated) before anything exists on disk, so a refused request leaves nothing.
        build(spec);

        RunCgroup? cgroup = null;
        string? seccompFile = null;
        try
        {
            try
            {
                cgroup = cgroups.Create(runName, limits);
            }
            catch (IOException e)
            {
                // Running without it would silently drop the per-run memory and pids limits (BOX-5).
                throw new UnavailableException(e.Message, "sandbox_unavailable");
            }

            if (seccomp)
            {
                seccompFile = Seccomp.SeccompFilterFile.Write(workRoot);
            }

            var launch = build(spec with { SeccompFile = seccompFile, CgroupProcsFiles = cgroup?.ProcsFiles.ToList() ?? [] });
            CreateWorkDir(workDir, privateTmp);
            WritePrivateFile(privateFile, launch.PrivateFile);
            return await ExecuteAsync(launch, request, cgroup, workDir, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(privateFile);
            if (seccompFile is not null)
            {
                File.Delete(seccompFile);
            }

            if (cgroup is not null)
            {
                // BOX-4: the cgroup goes too. Anything still in it was killed by ExecuteAsync; this
                // sweep covers a run that failed before it started.
                await cgroup.KillAllAsync(TeardownLimit).ConfigureAwait(false);
                await cgroup.RemoveAsync(TeardownLimit).ConfigureAwait(false);
            }

            // BOX-4: the work dir goes whatever happened. Every process that could write into it is
            // dead by now (ExecuteAsync waits for that), so this cannot race with the job.
            if (Directory.Exists(workDir))
            {
                Directory.Delete(workDir, recursive: true);
            }
        }
    }

    private static async Task<SandboxResult> ExecuteAsync(
        SandboxLaunch launch, SandboxRequest request, RunCgroup? cgroup, string workDir, CancellationToken ct)
    {
        var limits = request.Limits;
        var startInfo = new ProcessStartInfo(launch.Argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workDir,
        };
        for (var i = 1; i < launch.Argv.Count; i++)
        {
            startInfo.ArgumentList.Add(launch.Argv[i]);
        }

        // The setup chain runs partly as root: give it no server variable (LD_PRELOAD, secrets,
        // connection strings). The job's own environment travels separately, via fd 3.
        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = SetupPath;

        using var process = new Process { StartInfo = startInfo };
        var kill = new RunKill(process);
        var capture = new OutputCapture(
            limits.OutputKb * 1024, () => kill.Request(SandboxTermination.OutputLimit), request.OutputSink);

        InheritedDescriptors.SealAll();
        var stopwatch = Stopwatch.StartNew();
        await LaunchThread.StartAsync(process).ConfigureAwait(false);

        var stdout = capture.PumpStdoutAsync(process.StandardOutput.BaseStream);
        var stderr = capture.PumpStderrAsync(process.StandardError.BaseStream);
        var stdin = FeedStdinAsync(process, request.Stdin);

        // Always wait for the exit, never abandon a running job (BOX-4).
        var exited = process.WaitForExitAsync(CancellationToken.None);
        using (var stopWatching = new CancellationTokenSource())
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(limits.TimeoutSeconds)))
        using (timeout.Token.Register(() => kill.Request(SandboxTermination.Timeout)))
        using (ct.Register(() => kill.Request(SandboxTermination.Cancelled)))
        {
            var watch = cgroup is null
                ? Task.CompletedTask
                : WatchAsync(cgroup, (long)limits.CpuSeconds * 1_000_000_000, kill, stopWatching.Token);
            await Task.WhenAny(exited, kill.Requested).ConfigureAwait(false);
            await stopWatching.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
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
        if (cgroup is not null)
        {
            // Whatever left the process tree (unconfined daemons) is still in the cgroup.
            await cgroup.KillAllAsync(TeardownLimit).ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(stdout, stderr, stdin).WaitAsync(TeardownLimit, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Some host process still holds a pipe end; what was captured so far is the output.
        }

        // The live sink's last characters; from here on it hears nothing (JOB-6).
        capture.Complete();

        stopwatch.Stop();

        var reason = kill.Reason
            ?? (capture.Exceeded ? SandboxTermination.OutputLimit : (SandboxTermination?)null)
            ?? LimitFromExit(process.ExitCode, cgroup, limits.CpuSeconds);
        return new SandboxResult
        {
            Termination = reason ?? SandboxTermination.Exited,
            ExitCode = reason is null ? process.ExitCode : null,
            Stdout = capture.Stdout,
            Stderr = capture.Stderr,
            Duration = stopwatch.Elapsed,
        };
    }

    /// <summary>
    /// A limit the run hit without our watcher having killed it yet (BOX-2). The exit status alone
    /// is ambiguous (bwrap and timeout report a death by signal n as exit 128+n, which the job
    /// could also <c>exit</c> with), so the cgroup's counters decide where there are any; the
    /// signal statuses only name a limit the kernel's counters cannot contradict.
    /// </summary>
    internal static SandboxTermination? LimitFromExit(int exitCode, RunCgroup? cgroup, int cpuSeconds)
    {
        if (cgroup is not null)
        {
            var oomKills = cgroup.OomKills();
            if (oomKills > 0 || (oomKills < 0 && exitCode == SigKillExit && cgroup.MemoryFailures() > 0))
            {
                return SandboxTermination.MemoryLimit;
            }

            if (cgroup.ProcessLimitHit())
            {
                return SandboxTermination.ProcessLimit;
            }

            if (cgroup.CpuNanoseconds() is { } used)
            {
                // The tree's account confirms what the exit status claims: RLIMIT_CPU fires per process at
                // cpu_seconds, so the tree used about that much. RLIMIT_CPU samples scheduler ticks, the
                // cgroup counts nanoseconds, and on a loaded host the two part by tens of percent (seen
                // here: a SIGXCPU'd spinner with the cgroup under 90%); half the budget still tells a
                // real CPU hog from a job that merely exits 152.
                var limit = (long)cpuSeconds * 1_000_000_000;
                if (used >= limit || (exitCode == SigXcpuExit && used >= limit / 2))
                {
                    return SandboxTermination.CpuLimit;
                }

                return exitCode == SigXfszExit ? SandboxTermination.FileSizeLimit : null;
            }
        }

        return exitCode switch
        {
            // RLIMIT_CPU's soft limit (the hard limit's SIGKILL is indistinguishable from any other kill).
            SigXcpuExit => SandboxTermination.CpuLimit,
            // RLIMIT_FSIZE: a write past the file-size limit.
            SigXfszExit => SandboxTermination.FileSizeLimit,
            _ => null,
        };
    }

    /// <summary>Kills the run as soon as its cgroup says it is over a limit: a fork bomb ends at once, not at its timeout.</summary>
    private static async Task WatchAsync(RunCgroup cgroup, long cpuLimitNanoseconds, RunKill kill, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(WatchInterval, stop).ConfigureAwait(false);
                if (cgroup.LimitHit(cpuLimitNanoseconds) is { } reason)
                {
                    kill.Request(reason);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended first.
        }
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
    private void CreateWorkDir(string workDir, bool privateTmp)
    {
        // 0700 and owned by the job's uid: readable by that uid and root only, never by other host users.
        foreach (var dir in privateTmp ? new[] { workDir, Path.Combine(workDir, "tmp") } : [workDir])
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (Libc.LChown(dir, (uint)uid, (uint)gid) != 0)
            {
                throw new IOException($"Could not hand the work dir {dir} to uid {uid} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
    }

    [SupportedOSPlatform("linux")]
    private static void WritePrivateFile(string path, byte[] content)
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
        file.Write(content);
    }

    [GeneratedRegex("^[a-zA-Z0-9_.:-]{1,100}$", RegexOptions.CultureInvariant)]
    private static partial Regex RunIdPattern();
}
