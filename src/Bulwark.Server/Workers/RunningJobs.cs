using System.Collections.Concurrent;

namespace Bulwark.Server.Workers;

/// <summary>The runs on this node, so a cancel request can kill one at once.</summary>
internal sealed class RunningJobs
{
    private readonly ConcurrentDictionary<string, RunControl> _runs = new(StringComparer.Ordinal);

    public RunControl Register(string jobId, CancellationToken stopping)
    {
        var control = new RunControl(stopping, () => _runs.TryRemove(jobId, out _));
        _runs[jobId] = control;
        return control;
    }

    public bool TryCancel(string jobId)
    {
        if (!_runs.TryGetValue(jobId, out var control))
        {
            return false;
        }

        control.CancelOnRequest();
        return true;
    }

    public int Count => _runs.Count;
}

/// <summary>
/// Why a run is being stopped decides what the worker writes: a user's cancel ends the job
/// cancelled; a lost lease or a shutdown writes nothing (the reaper gives the job back).
/// </summary>
internal sealed class RunControl : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly Action _onDispose;

    public RunControl(CancellationToken stopping, Action onDispose)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _onDispose = onDispose;
    }

    public CancellationToken Token => _cts.Token;

    public bool CancelRequested { get; private set; }

    public bool LeaseLost { get; private set; }

    public void CancelOnRequest()
    {
        CancelRequested = true;
        _cts.Cancel();
    }

    public void LoseLease()
    {
        LeaseLost = true;
        _cts.Cancel();
    }

    public void Dispose()
    {
        _onDispose();
        _cts.Dispose();
    }
}
