using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Support;

/// <summary>
/// A real <c>bulwark serve</c>: Kestrel on a free loopback port, a real SQLite file in a temp dir,
/// real bubblewrap. Short leases and polls so the suite is quick; no timing is asserted.
/// </summary>
public sealed class ServerFixture : IAsyncDisposable
{
    private RunningServer _server;

    private ServerFixture(RunningServer server, BulwarkOptions options, StringWriter console)
    {
        _server = server;
        Options = options;
        Console = console;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public BulwarkOptions Options { get; }
    public StringWriter Console { get; }
    public HttpClient Http { get; private set; }
    public string AdminKey { get; private set; } = "";
    public IBulwarkStore Store => _server.Services.GetRequiredService<IBulwarkStore>();
    public OperatorCommands Operator => new(Store, TimeProvider.System);

    public static async Task<ServerFixture> StartAsync(Action<BulwarkOptions>? configure = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "bulwark-e2e-" + Guid.NewGuid().ToString("N"));
        var options = new BulwarkOptions
        {
            DataDir = dataDir,
            Urls = "http://127.0.0.1:0",
            Workers = 3,
            LeaseSeconds = 6,
            HeartbeatSeconds = 1,
            ReaperSeconds = 1,
            PollMilliseconds = 100,
            // RLIMIT_NPROC counts every process of a host uid: a uid of our own keeps the sandbox
            // suite's fork bombs, running at the same time, from eating these jobs' budget.
            SandboxUid = 61000,
            SandboxGid = 61000,
        };
        configure?.Invoke(options);
        var console = new StringWriter();
        var server = await BulwarkServer.StartAsync(options, console, CancellationToken.None);
        return new ServerFixture(server, options, console) { AdminKey = server.BootstrapAdminKey ?? "" };
    }

    /// <summary>Stops this server and starts a new one on the same data dir (and a new port).</summary>
    public async Task RestartAsync()
    {
        await _server.DisposeAsync();
        Http.Dispose();
        Options.Urls = "http://127.0.0.1:0";
        _server = await BulwarkServer.StartAsync(Options, Console, CancellationToken.None);
        Http = new HttpClient { BaseAddress = _server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        RestartBootstrapKey = _server.BootstrapAdminKey;
    }

    public string? RestartBootstrapKey { get; private set; }

    /// <summary>A new tenant with one key of the given scopes; returns the key.</summary>
    public async Task<string> NewTenantKeyAsync(string tenant, params string[] scopes)
    {
        await Operator.CreateTenantAsync(tenant, CancellationToken.None);
        return await NewKeyAsync(tenant, scopes);
    }

    public async Task<string> NewKeyAsync(string tenant, params string[] scopes) =>
        (await Operator.CreateKeyAsync(tenant, scopes, null, null, CancellationToken.None)).Plaintext;

    public Task ApplyTemplateAsync(string yaml) => Operator.ApplyTemplateAsync(yaml, CancellationToken.None);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Http.SendAsync(request);
    }

    public async Task<JsonElement> SubmitAsync(string key, object body)
    {
        using var response = await SendAsync(HttpMethod.Post, "/v1/jobs", key, body);
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"submit answered {(int)response.StatusCode}: {json}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    public async Task<JsonElement> GetJobAsync(string key, string id)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/jobs/{id}", key);
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"get answered {(int)response.StatusCode}: {json}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>Polls until the job is in one of <paramref name="states"/>; fails after a generous bound.</summary>
    public async Task<JsonElement> WaitForStateAsync(string key, string id, params string[] states)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement job;
        do
        {
            job = await GetJobAsync(key, id);
            if (states.Contains(job.GetProperty("state").GetString()))
            {
                return job;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"job {id} never reached {string.Join('|', states)}; last: {job}");
        return job;
    }

    public async Task<string> LogsAsync(string key, string id)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/jobs/{id}/logs", key);
        Assert.True(response.IsSuccessStatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// One stream's text (stdout, stderr, runtime) of a finished job: its log entries concatenated
    /// in order, read over the follow stream. Script output arrives while the run goes on, so a
    /// stream is stored in several entries, with other streams' entries between them (JOB-6).
    /// </summary>
    public async Task<string> StreamTextAsync(string key, string id, string stream = "stdout")
    {
        using var events = await Logs.EventStream.OpenAsync(Http, id, key);
        var text = new StringBuilder();
        foreach (var e in (await events.ReadToEndAsync()).Where(e => e.Event == "log"))
        {
            using var data = JsonDocument.Parse(e.Data);
            if (data.RootElement.GetProperty("stream").GetString() == stream)
            {
                text.Append(data.RootElement.GetProperty("text").GetString());
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Http.Dispose();
        try
        {
            Directory.Delete(Options.DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp dir.
        }
    }
}
