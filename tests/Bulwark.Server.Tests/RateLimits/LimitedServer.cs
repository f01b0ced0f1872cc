using System.Net.Http.Headers;
using System.Text;
using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.RateLimits;

/// <summary>
/// A real server (Kestrel on loopback, a real store) on a fake clock, so a rate window is passed by
/// advancing time, never by sleeping. No local workers: submitted jobs stay queued, which is all
/// these tests look at.
/// </summary>
internal sealed class LimitedServer : IAsyncDisposable
{
    /// <summary>A global template any key with jobs:write may submit.</summary>
    public const string Template = """
        key: rl.echo
        kind: script
        command: ["/bin/true"]
        """;

    private readonly RunningServer _server;
    private readonly string? _ownDataDir;

    private LimitedServer(RunningServer server, FakeTimeProvider clock, string? ownDataDir, StringWriter console)
    {
        _server = server;
        Console = console;
        _ownDataDir = ownDataDir;
        Clock = clock;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public FakeTimeProvider Clock { get; }

    /// <summary>What the server wrote to its console: the AUD-4 security lines among it.</summary>
    public StringWriter Console { get; }

    public HttpClient Http { get; }

    public IBulwarkStore Store => _server.Services.GetRequiredService<IBulwarkStore>();

    public OperatorCommands Operator => new(Store, Clock);

    /// <summary>Starts on SQLite in a temp dir, or on whatever store <paramref name="configure"/> names.</summary>
    public static async Task<LimitedServer> StartAsync(FakeTimeProvider clock, Action<BulwarkOptions>? configure = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "bulwark-limits-" + Guid.NewGuid().ToString("N"));
        var options = new BulwarkOptions
        {
            DataDir = dataDir,
            Urls = "http://127.0.0.1:0",
            LocalWorkers = false,
            SandboxUid = 61000,
            SandboxGid = 61000,
        };
        configure?.Invoke(options);
        var console = new StringWriter();
        var server = await BulwarkServer.StartAsync(options, console, clock, CancellationToken.None);
        return new LimitedServer(server, clock, dataDir, console);
    }

    public async Task<string> NewTenantKeyAsync(string tenant, params string[] scopes)
    {
        await Operator.CreateTenantAsync(tenant, CancellationToken.None);
        return await NewKeyAsync(tenant, scopes);
    }

    public async Task<string> NewKeyAsync(string tenant, params string[] scopes) =>
        (await Operator.CreateKeyAsync(tenant, scopes, null, null, CancellationToken.None)).Plaintext;

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> SubmitAsync(string key) =>
        SendAsync(HttpMethod.Post, "/v1/jobs", key, """{"template": "rl.echo", "inputs": {}}""");

    /// <summary>Puts the clock on the first millisecond of a minute, so what a test sends falls in one fixed window.</summary>
    public void MoveToMinuteStart()
    {
        var now = Clock.GetUtcNow();
        var intoMinute = now.ToUnixTimeMilliseconds() % 60_000;
        Clock.Advance(TimeSpan.FromMilliseconds(60_000 - intoMinute));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _server.DisposeAsync();
        if (_ownDataDir is not null && Directory.Exists(_ownDataDir))
        {
            Directory.Delete(_ownDataDir, recursive: true);
        }
    }
}
