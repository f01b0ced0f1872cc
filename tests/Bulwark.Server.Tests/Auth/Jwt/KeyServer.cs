using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Tests.Auth.Jwt;

/// <summary>
/// A loopback HTTP server standing in for an identity provider's JWKS endpoint (and for an
/// attacker's key server in jku/x5u tests). It serves whatever keys the test sets and counts
/// every request it receives, per path.
/// </summary>
public sealed class KeyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private volatile string _jwks = """{"keys":[]}""";

    private KeyServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public Uri JwksUrl => new(BaseAddress, "/jwks.json");

    /// <summary>Requests to the JWKS path.</summary>
    public int JwksRequests => _hits.GetValueOrDefault("/jwks.json");

    /// <summary>Every request, any path.</summary>
    public int AllRequests => _hits.Values.Sum();

    /// <summary>While true, every request is answered 503 (a provider outage).</summary>
    public bool Failing { get; set; }

    public void Serve(params object[] keys) => _jwks = JsonSerializer.Serialize(new { keys });

    public static async Task<KeyServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new KeyServer(app);
        app.Run(async http =>
        {
            server._hits.AddOrUpdate(http.Request.Path.Value ?? "/", 1, (_, n) => n + 1);
            if (server.Failing)
            {
                http.Response.StatusCode = 503;
                return;
            }

            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(http.Request.Path == "/jwks.json" ? server._jwks : """{"keys":[]}""");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
