namespace Bulwark.Core.Storage;

/// <summary>
/// A store shared by several nodes tells every node when new work may be waiting (a job
/// enqueued and due now, a lease reaped), so idle workers anywhere start it within tens of
/// milliseconds instead of at their next poll (PostgreSQL: LISTEN/NOTIFY). A store used by one
/// process does not implement it: the server's own in-process signal is enough there.
/// </summary>
public interface IWorkWakeups
{
    /// <summary>
    /// Calls <paramref name="wake"/> (on any thread, possibly more often than needed, never
    /// throwing into the store) each time some node announced work, until the returned handle is
    /// disposed. A lost connection is re-established; a wake-up missed meanwhile is covered by
    /// the workers' poll.
    /// </summary>
    IAsyncDisposable Subscribe(Action wake);
}
