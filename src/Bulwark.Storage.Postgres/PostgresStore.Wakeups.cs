using Bulwark.Storage.Postgres.Connections;

namespace Bulwark.Storage.Postgres;

// Cross-node wake-ups: enqueue (a job due now) and the reaper (jobs re-queued) NOTIFY the work
// channel in their own transaction, so the signal goes out at commit and never for a rollback.
public sealed partial class PostgresStore
{
    public IAsyncDisposable Subscribe(Action wake)
    {
        ArgumentNullException.ThrowIfNull(wake);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return new WorkWakeupListener(_listenConnectionString, WorkChannel, wake);
    }
}
