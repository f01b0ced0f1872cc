using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bulwark.Server.Tests.MultiNode;

/// <summary>One <c>bulwark serve</c> process of a cluster and an HTTP client on its loopback address.</summary>
internal sealed partial class ServeNode : IDisposable
{
    private ServeNode(string name, BulwarkProcess process, Uri address)
    {
        Name = name;
        Process = process;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Name { get; }

    public BulwarkProcess Process { get; }

    public HttpClient Http { get; }

    /// <summary>The pool of <c>bulwark serve</c> names its workers <c>host:pid:…</c>.</summary>
    public bool OwnsWorker(string workerId) => workerId.Contains($":{Process.Pid}:", StringComparison.Ordinal);

    [GeneratedRegex(@"Bulwark listening on (?<url>http://\S+)")]
    private static partial Regex Listening();

    public static async Task<ServeNode> StartAsync(string name, IReadOnlyDictionary<string, string> environment)
    {
        var process = BulwarkProcess.Start(environment, "serve");
        try
        {
            var url = (await process.WaitForLineAsync(Listening())).Groups["url"].Value;
            return new ServeNode(name, process, new Uri(url));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await Http.SendAsync(request);
    }

    public async Task<HttpStatusCode> StatusAsync(string path, string key)
    {
        using var response = await SendAsync(HttpMethod.Get, path, key);
        return response.StatusCode;
    }

    public async Task<string> SubmitAsync(string key, object body)
    {
        using var response = await SendAsync(HttpMethod.Post, "/v1/jobs", key, body);
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"submit on {Name} answered {(int)response.StatusCode}: {json}");
        return JsonDocument.Parse(json).RootElement.GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> GetJobAsync(string key, string id)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/jobs/{id}", key);
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"get on {Name} answered {(int)response.StatusCode}: {json}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    public async Task<string> LogsAsync(string key, string id)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/jobs/{id}/logs", key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"logs on {Name} answered {(int)response.StatusCode}: {text}");
        return text;
    }

    public void Dispose()
    {
        Http.Dispose();
        Process.Dispose();
    }
}
