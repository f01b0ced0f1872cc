using Bulwark.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Server.Hosting;

/// <summary>A started server. Dispose to stop it gracefully.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    internal RunningServer(Microsoft.AspNetCore.Builder.WebApplication app, Uri baseAddress, string? bootstrapAdminKey, string runtimeSocket)
    {
        App = app;
        BaseAddress = baseAddress;
        BootstrapAdminKey = bootstrapAdminKey;
        RuntimeSocket = runtimeSocket;
    }

    internal Microsoft.AspNetCore.Builder.WebApplication App { get; }

    /// <summary>The first bound address (a real port when started on port 0).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The runtime API's Unix socket on the host (BOX-3), mounted into every sandbox.</summary>
    public string RuntimeSocket { get; }

    /// <summary>The admin key created on the first start of an empty store; null on every later start.</summary>
    public string? BootstrapAdminKey { get; }

    public IServiceProvider Services => App.Services;

    public Task WaitForShutdownAsync(CancellationToken ct) => App.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        // The store was handed to the container as an instance, which the container does not own.
        var store = App.Services.GetRequiredService<IBulwarkStore>();
        await App.DisposeAsync();
        await store.DisposeAsync();
    }
}
