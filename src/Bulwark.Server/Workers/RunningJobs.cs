using System.Collections.Concurrent;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tokens;

namespace Bulwark.Server.Workers;

/// <summary>
/// The runs on this node, so a cancel request can kill one at once, and so the runtime API
/// (AUTHZ-5) can tell a live run from a finished one: a capability token is honoured only while
/// its run is registered here with the same attempt and token id.
/// </summary>
internal sealed class RunningJobs
{
    private readonly ConcurrentDictionary<string, RunControl> _runs = new(StringComparer.Ordinal);

    public RunControl Register(ClaimedJob claimed, CancellationToken stopping)
    {
        var jobId = claimed.Lease.JobId;
        RunControl? control = null;
        control = new RunControl(claimed, stopping, () => _runs.TryRemove(new KeyValuePair<string, RunControl>(jobId, control!)));
        _runs[jobId] = control;
        return control;
    }

    /// <summary>The live run of <paramref name="jobId"/> on this node, or null.</summary>
    public RunControl? Find(string jobId) => _runs.GetValueOrDefault(jobId);

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
/// One live attempt. Why a run is being stopped decides what the worker writes: a user's cancel
/// ends the job cancelled; a lost lease or a shutdown writes nothing (the reaper gives the job
/// back). It also holds what the job handed back through the runtime API for the completion.
/// </summary>
internal sealed class RunControl : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly Action _onDispose;
    private readonly Lock _runtime = new();
    private string? _outputJson;
    private long _runtimeLogBytes;
    private bool _runtimeClosed;

    public RunControl(ClaimedJob claimed, CancellationToken stopping, Action onDispose)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _onDispose = onDispose;
        Lease = claimed.Lease;
        TenantId = claimed.Job.TenantId;
        RuntimeLogBudgetBytes = (long)claimed.Template.Definition.Limits.OutputKb * 1024;
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>The attempt's fence: every runtime API write goes to the store under it.</summary>
    public Lease Lease { get; }

    public string TenantId { get; }

    /// <summary>The id of the one capability token minted for this attempt (AUTHZ-5).</summary>
    public string TokenId { get; } = CapabilityToken.NewTokenId();

    /// <summary>Runtime log lines may add up to the template's output limit (BOX-2), like stdout.</summary>
    public long RuntimeLogBudgetBytes { get; }

    public bool CancelRequested { get; private set; }

    public bool LeaseLost { get; private set; }

    /// <summary>False once the run has ended: its token is refused from then on.</summary>
    public bool RuntimeOpen
    {
        get
        {
            lock (_runtime)
            {
                return !_runtimeClosed;
            }
        }
    }

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

    /// <summary>Keeps the last result the job PUT; false when the run already ended.</summary>
    public bool TrySetOutput(string json)
    {
        lock (_runtime)
        {
            if (_runtimeClosed)
            {
                return false;
            }

            _outputJson = json;
            return true;
        }
    }

    /// <summary>Takes <paramref name="bytes"/> from the runtime log budget; false when it would run over.</summary>
    public bool TryTakeLogBudget(long bytes)
    {
        lock (_runtime)
        {
            if (_runtimeClosed || _runtimeLogBytes + bytes > RuntimeLogBudgetBytes)
            {
                return false;
            }

            _runtimeLogBytes += bytes;
            return true;
        }
    }

    /// <summary>
    /// Ends the runtime API for this run and returns the output it left: after this no request
    /// of the job can change what the completion writes.
    /// </summary>
    public string? CloseRuntime()
    {
        lock (_runtime)
        {
            _runtimeClosed = true;
            return _outputJson;
        }
    }

    public void Dispose()
    {
        CloseRuntime();
        _onDispose();
        _cts.Dispose();
    }
}
