using System.Collections.Concurrent;
using Bulwark.Storage.Postgres.Connections;

namespace Bulwark.Storage.Postgres;

// Cross-node wake-ups: enqueue (a job due now) and the reaper (jobs re-queued) NOTIFY the work
// channel in their own transaction, so the signal goes out at commit and never for a rollback.
public sealed partial class PostgresStore
{
    // Subscriptions still open when the store is disposed are closed with it.
    private readonly ConcurrentDictionary<WorkWakeupListener, bool> _listeners = new();

    public IAsyncDisposable Subscribe(Action wake)
    {
        ArgumentNullException.ThrowIfNull(wake);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var listener = new WorkWakeupListener(_listenConnectionString, WorkChannel, wake, l => _listeners.TryRemove(l, out _));
        _listeners.TryAdd(listener, true);
        return listener;
    }

    private async ValueTask CloseListenersAsync()
    {
        foreach (var listener in _listeners.Keys)
        {
            await listener.DisposeAsync();
        }
    }
}
