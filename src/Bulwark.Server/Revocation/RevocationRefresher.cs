using Bulwark.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Revocation;

/// <summary>
/// Keeps <see cref="RevocationCache"/> following the shared store (AUTH-5, TEN-4). The first load
/// happens before the server accepts requests, so a restarted node never serves with an empty set.
/// </summary>
internal sealed class RevocationRefresher(
    RevocationCache cache,
    BulwarkOptions options,
    TimeProvider time,
    ILogger<RevocationRefresher> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await cache.RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.RevocationRefreshSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await cache.RefreshAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The last snapshot stays in force: what was revoked stays revoked.
                    RevocationLog.RefreshFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
