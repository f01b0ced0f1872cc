using Npgsql;

namespace Bulwark.Storage.Postgres.Connections;

/// <summary>
/// One dedicated, unpooled connection that LISTENs on the work channel and calls the wake action
/// for each notification. A dropped connection is re-opened after a pause that doubles up to a
/// few seconds; after each reconnect the action is called once, since a notification may have
/// been missed meanwhile. Neither the action nor the database can make this throw: a wake-up is a
/// hint, and the workers' poll covers whatever is lost.
/// </summary>
internal sealed class WorkWakeupListener : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly string _channel;
    private readonly Action _wake;
    private readonly Action<WorkWakeupListener> _onDisposed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _disposed;

    public WorkWakeupListener(string connectionString, string channel, Action wake, Action<WorkWakeupListener> onDisposed)
    {
        _connectionString = connectionString;
        _channel = channel;
        _wake = wake;
        _onDisposed = onDisposed;
        _loop = Task.Run(() => ListenAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _onDisposed(this);
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        var retry = FirstRetry;
        var missedSome = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                connection.Notification += (_, _) => Wake();
                await connection.OpenAsync(ct);
                await using (var listen = new NpgsqlCommand($"LISTEN {_channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                retry = FirstRetry;
                if (missedSome)
                {
                    Wake();
                }

                while (true)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // Whatever failed (network, restart, failover), listening again is the answer.
                missedSome = true;
            }
            catch (Exception)
            {
                return; // disposed
            }

            try
            {
                await Task.Delay(retry, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
        }
    }

    private void Wake()
    {
        try
        {
            _wake();
        }
        catch (Exception)
        {
            // The caller's action must not stop the listener.
        }
    }
}
