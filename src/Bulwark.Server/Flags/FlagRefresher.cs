using Bulwark.Server.Hosting;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Server.Flags;

/// <summary>
/// Keeps <see cref="FlagState"/> following the shared store (FLAG-2). The first load happens
/// before the server accepts requests, so a restarted node never serves on configuration alone
/// while the store says a flag is off.
/// </summary>
internal sealed class FlagRefresher(FlagState state, BulwarkOptions options, TimeProvider time) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await state.LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.FlagsRefreshSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await state.RefreshAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
