using Bulwark.Core.Flags;
using Bulwark.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Flags;

/// <summary>
/// The node's <see cref="IFeatureFlags"/> (FLAG-1, FLAG-2): configuration, and the store's values
/// as of the last refresh, the stricter wins. <see cref="FlagRefresher"/> refreshes it every
/// <c>BULWARK_FLAGS_REFRESH_SECONDS</c>, and a change made through this node refreshes it at once,
/// so a flag turned off anywhere holds here within that bound without a restart. When the store
/// cannot be read <see cref="MissedRefreshesBeforeSafe"/> times in a row, every flag takes its safe
/// value (features off, guards on) until the store answers again: a kill switch nobody can read
/// must not leave features on.
/// </summary>
internal sealed class FlagState(BulwarkOptions options, IFlagStore store, ILogger<FlagState> logger) : IFeatureFlags
{
    public const int MissedRefreshesBeforeSafe = 3;

    // One refresh at a time: a refresh begun after a write reads after it, and lands after any older one.
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile FlagSnapshot _snapshot = FlagSnapshot.Empty;
    private volatile bool _failingSafe;
    private int _missed;

    /// <summary>The store's values as of the last refresh.</summary>
    public FlagSnapshot Snapshot => _snapshot;

    /// <summary>True while the store could not be read for too long and every flag is at its safe value.</summary>
    public bool FailingSafe => _failingSafe;

    public bool IsOn(FeatureFlag flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        return _failingSafe ? flag.SafeValue : flag.Effective(options.Configured(flag), _snapshot.Node(flag));
    }

    public bool IsOn(FeatureFlag flag, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        return _failingSafe ? flag.SafeValue : flag.Effective(IsOn(flag), _snapshot.Tenant(flag, tenantId));
    }

    /// <summary>Reads the store and swaps the snapshot; throws when the store cannot be read (the first load).</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        await _refresh.WaitAsync(ct);
        try
        {
            _snapshot = FlagSnapshot.Of(await store.ReadFlagsAsync(ct));
            _missed = 0;
            if (_failingSafe)
            {
                _failingSafe = false;
                FlagsLog.Recovered(logger);
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>As <see cref="LoadAsync"/>, but a failure keeps the last snapshot and counts towards failing safe.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        try
        {
            await LoadAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var missed = Interlocked.Increment(ref _missed);
            if (missed == 1)
            {
                FlagsLog.RefreshFailed(logger, e);
            }

            if (missed >= MissedRefreshesBeforeSafe && !_failingSafe)
            {
                _failingSafe = true;
                FlagsLog.FailingSafe(logger, missed);
            }
        }
    }
}
