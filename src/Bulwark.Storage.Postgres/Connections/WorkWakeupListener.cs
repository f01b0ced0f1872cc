using Npgsql;

namespace Bulwark.Storage.Postgres.Connections;

/// <summary>
/// One dedicated, unpooled connection that LISTENs on the work channel and calls the wake action
/// for each notification. A dropped connection is re-opened with a growing pause (up to a few
/// seconds); after each reconnect the action is called once, since a notification may have been
/// missed meanwhile. The action never throws into here, and nothing here throws into the store.
/// </summary>
internal sealed class WorkWakeupListener : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly string _channel;
    private readonly Action _wake;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WorkWakeupListener(string connectionString, string channel, Action wake)
    {
        _connectionString = connectionString;
        _channel = channel;
        _wake = wake;
        _loop = Task.Run(() => ListenAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        var retry = FirstRetry;
        var reconnecting = false;
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
                if (reconnecting)
                {
                    Wake();
                }

                while (!ct.IsCancellationRequested)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                // The database went away or restarted: the workers' poll covers the gap.
            }

            reconnecting = true;
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
#pragma warning disable CA1031 // A wake-up is a hint: whatever the callback does wrong must not stop the listener.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
