using System.Diagnostics;
using System.Globalization;

namespace Bulwark.Sandbox.Tests.Seccomp;

/// <summary>
/// A bare bubblewrap sandbox of the tests' own, close to the one jobs get (BOX-1), so the filter
/// can be tried against the real kernel without the rest of the sandbox: root opens the filter
/// file on fd 4 (so it stays 0600), drops to an unprivileged uid with no_new_privs, and bwrap
/// installs the program read from that fd.
/// </summary>
internal static class SeccompHarness
{
    /// <summary>
    /// An otherwise unused host uid: RLIMIT_NPROC is counted per uid, and a fork-bomb test of
    /// another run holding uid 65534's budget must not make these runs fail to fork.
    /// </summary>
    public const int Uid = 64000;

    public static async Task<HarnessResult> RunAsync(string? filterFile, bool namespaceRoot, params string[] command)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        if (filterFile is null)
        {
            start.FileName = "/usr/bin/setpriv";
        }
        else
        {
            // Opened by root before the drop; fds a shell opens explicitly survive exec.
            start.FileName = "/bin/sh";
            foreach (var arg in (string[])["-c", "exec 4<\"$0\" && exec \"$@\"", filterFile, "/usr/bin/setpriv"])
            {
                start.ArgumentList.Add(arg);
            }
        }

        string[] sandbox =
        [
            $"--reuid={Uid.ToString(CultureInfo.InvariantCulture)}", $"--regid={Uid.ToString(CultureInfo.InvariantCulture)}",
            "--clear-groups", "--no-new-privs",
            // No --die-with-parent here: its PR_SET_PDEATHSIG fires when the *thread* that forked
            // bwrap exits, and here that is a test-host pool thread, which came back as random
            // SIGKILLs (exit 137). Jobs are safe from this: their bwrap is a child of `timeout`.
            "/usr/bin/bwrap", "--unshare-all", "--unshare-user",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        ];
        foreach (var arg in sandbox)
        {
            start.ArgumentList.Add(arg);
        }

        if (namespaceRoot)
        {
            // Root with every capability inside the sandbox's user namespace: the state a kernel
            // bug could hand a job. Capability checks then no longer answer EPERM on their own,
            // so the filter's answer can be told apart from theirs.
            foreach (var arg in (string[])["--uid", "0", "--gid", "0", "--cap-add", "ALL"])
            {
                start.ArgumentList.Add(arg);
            }
        }

        if (filterFile is not null)
        {
            start.ArgumentList.Add("--seccomp");
            start.ArgumentList.Add("4");
        }

        start.ArgumentList.Add("--");
        foreach (var arg in command)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the sandbox.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sandbox did not finish within 60 s: {string.Join(' ', command)}");
        }

        return new HarnessResult(process.ExitCode, await stdout, await stderr);
    }
}
