using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Tests.Cli;

/// <summary>
/// A tiny HTTP server on a free loopback port that plays the Bulwark API, so <c>bulwark submit</c>
/// is tested over real HTTP, exactly as it runs, without depending on the whole server.
/// </summary>
internal sealed class StubApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StubApi(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<StubApi> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new StubApi(app, app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
