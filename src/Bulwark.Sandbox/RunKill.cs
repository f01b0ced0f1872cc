using System.ComponentModel;
using System.Diagnostics;
using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox;

/// <summary>
/// Ends one run exactly once, for the first reason that arrives (timeout, cancellation, output
/// cap), and remembers what it killed so the run can wait until all of it is gone (BOX-2, BOX-4).
/// </summary>
internal sealed class RunKill(Process process)
{
    private readonly Lock _gate = new();
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
            try
            {
                _killed = ProcessTree.Descendants(process.Id);
                // SIGKILL to the whole tree; whatever it misses (a child forked in between, a
                // `setsid` daemon) is in bwrap's PID namespace, which the kernel empties when its
                // init dies.
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited: nothing left to kill.
            }
            catch (Win32Exception)
            {
                // Raced with the exit of some process in the tree; the namespace teardown covers it.
            }
        }
    }
}
