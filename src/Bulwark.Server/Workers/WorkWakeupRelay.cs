using Bulwark.Core.Storage;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Server.Workers;

/// <summary>
/// Hands wake-ups announced by other nodes of a shared store (<see cref="IWorkWakeups"/>) to this
/// node's <see cref="WorkSignal"/>, so idle workers here start a job submitted or reaped elsewhere at
/// once instead of at their next poll. The poll stays the safety net for a wake-up lost in transit.
/// </summary>
internal sealed class WorkWakeupRelay(IWorkWakeups wakeups, WorkSignal signal) : IHostedService
{
    private IAsyncDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = wakeups.Subscribe(signal.Notify);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _subscription, null) is { } subscription)
        {
            await subscription.DisposeAsync();
        }
    }
}
