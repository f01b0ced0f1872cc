using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Core.Jobs;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;
using Bulwark.Server.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.Triggers;

/// <summary>
/// A real server whose every clock is a <see cref="FakeTimeProvider"/>, so cron occurrences are
/// reached by advancing time, never by waiting. No local workers: triggered jobs stay queued and
/// are counted as rows (one job row per fired occurrence).
/// </summary>
internal sealed class ClockedServer : IAsyncDisposable
{
    private readonly RunningServer _server;
    private readonly string _dataDir;

    private ClockedServer(RunningServer server, string dataDir, FakeTimeProvider clock)
    {
        _server = server;
        _dataDir = dataDir;
        Clock = clock;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public FakeTimeProvider Clock { get; }
    public HttpClient Http { get; }
    public IBulwarkStore Store => _server.Services.GetRequiredService<IBulwarkStore>();
    public TriggerScheduler Scheduler => _server.Services.GetRequiredService<TriggerScheduler>();

    /// <summary>Another scheduler on this server's store and clock: a second node's, as far as firing goes.</summary>
    public TriggerScheduler NewScheduler() => ActivatorUtilities.CreateInstance<TriggerScheduler>(_server.Services);

    public static Task<ClockedServer> StartAsync(DateTimeOffset start, bool triggers = true) =>
        StartAsync(new FakeTimeProvider(start), triggers, null);

    /// <param name="clock">Shared by several servers: nodes whose clocks agree.</param>
    /// <param name="configure">E.g. a PostgreSQL database shared by several servers.</param>
    public static async Task<ClockedServer> StartAsync(FakeTimeProvider clock, bool triggers, Action<BulwarkOptions>? configure)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "bulwark-cron-" + Guid.NewGuid().ToString("N"));
        var options = new BulwarkOptions
        {
            DataDir = dataDir,
            Urls = "http://127.0.0.1:0",
            LocalWorkers = false,
            SandboxUid = 61000,
            SandboxGid = 61000,
            EventsEnabled = true,
            TriggersEnabled = triggers,
        };
        configure?.Invoke(options);
        var server = await BulwarkServer.StartAsync(options, new StringWriter(), clock, CancellationToken.None);
        return new ClockedServer(server, dataDir, clock);
    }

    public async Task<string> NewTenantKeyAsync(string tenant, params string[] scopes)
    {
        var operations = new OperatorCommands(Store, Clock);
        await operations.CreateTenantAsync(tenant, CancellationToken.None);
        return (await operations.CreateKeyAsync(tenant, scopes, null, null, CancellationToken.None)).Plaintext;
    }

    public Task ApplyTemplateAsync(string yaml) => new OperatorCommands(Store, Clock).ApplyTemplateAsync(yaml, CancellationToken.None);

    public async Task<JsonElement> PutTriggerAsync(string key, string name, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/triggers/{name}") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT trigger answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> TriggerAsync(string key, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/triggers");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Http.SendAsync(request);
        var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("triggers");
        return list.EnumerateArray().Single(t => t.GetProperty("name").GetString() == name).Clone();
    }

    /// <summary>
    /// Moves the clock to <paramref name="at"/>, runs one scheduler round there and returns
    /// <see cref="FiredKeysAsync"/>. The server's own scheduler loop may run that round first (its
    /// sleep ends when the clock moves); rounds on one node never overlap, so either way the
    /// round is over when this returns.
    /// </summary>
    public async Task<List<string>> RunAtAsync(DateTimeOffset at)
    {
        Clock.SetUtcNow(at);
        await Scheduler.RunOnceAsync(CancellationToken.None);
        return await FiredKeysAsync();
    }

    /// <summary>The idempotency keys of the tenant's jobs (each trigger-started job has one), oldest first.</summary>
    public async Task<List<string>> FiredKeysAsync(string tenant = "acme")
    {
        var scope = TenantScope.Of((await Store.FindTenantByNameAsync(tenant, CancellationToken.None))!);
        var page = await Store.ListJobsAsync(scope, new JobQuery(null, null, JobQuery.MaxLimit, null), CancellationToken.None);
        return page.Jobs.OrderBy(j => j.Id, StringComparer.Ordinal).Select(j => j.IdempotencyKey ?? "").ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp dir.
        }
    }
}
