using System.ComponentModel;
using System.Diagnostics;
using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox;

/// <summary>
/// Ends one run exactly once, for the first reason that arrives (timeout, cancellation, output
/// cap), and remembers what it killed so the run can wait until all of it is gone (BOX-2, BOX-4).
/// </summary>
/// <remarks>
/// The first blow is SIGKILL to bwrap's PID-namespace init only. The kernel then kills and reaps
/// everything in the namespace (forks, `setsid` daemons) before init exits, bwrap reaps init,
/// `timeout` reaps bwrap and we reap `timeout`: every process is reaped by its own parent before
/// the run returns. Killing the whole tree at once instead orphans bwrap and its init to the
/// host's pid 1, whose zombies keep counting against the uid's RLIMIT_NPROC until it reaps them.
/// </remarks>
internal sealed class RunKill(Process process)
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SandboxTermination? _reason;
    private IReadOnlyList<int> _killed = [];

    public SandboxTermination? Reason
    {
        get
        {
            lock (_gate)
            {
                return _reason;
            }
        }
    }

    /// <summary>Completes when a kill has been requested.</summary>
    public Task Requested => _requested.Task;

    /// <summary>Host pids of the process tree at the moment of the kill, bwrap's PID-namespace init among them.</summary>
    public IReadOnlyList<int> Killed
    {
        get
        {
            lock (_gate)
            {
                return _killed;
            }
        }
    }

    public void Request(SandboxTermination reason)
    {
        lock (_gate)
        {
            if (_reason is not null)
            {
                return;
            }

            _reason = reason;
            _killed = ProcessTree.Descendants(process.Id);
            var init = _killed.FirstOrDefault(ProcessTree.IsPidNamespaceInit);
            if (init == 0 || Libc.Kill(init, Libc.SIGKILL) != 0)
            {
                // No namespace yet (bwrap has not cloned): nothing inside to reap in order.
                KillTreeLocked();
            }
        }

        _requested.TrySetResult();
    }

    /// <summary>The fallback when the ordered teardown does not finish: SIGKILL to every process of the tree.</summary>
    public void KillTree()
    {
        lock (_gate)
        {
            KillTreeLocked();
        }
    }

    private void KillTreeLocked()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited: nothing left to kill.
        }
        catch (Win32Exception)
        {
            // Raced with the exit of some process in the tree; the namespace teardown covers the rest.
        }
    }
}
