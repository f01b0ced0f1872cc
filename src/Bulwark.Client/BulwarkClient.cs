using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Bulwark.Client;

/// <summary>
/// The user API of a Bulwark server (<c>/v1</c>). The <see cref="HttpClient"/> carries the base
/// address and the credential; every non-2xx answer becomes a <see cref="BulwarkApiException"/>.
/// </summary>
public sealed class BulwarkClient(HttpClient http)
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    /// <summary>A client for <paramref name="baseAddress"/> that sends <paramref name="apiKey"/> as a bearer credential.</summary>
    public static BulwarkClient Create(Uri baseAddress, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        // Routes are relative, so a base with a path prefix must end in '/' to keep that prefix.
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        var http = new HttpClient { BaseAddress = root };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return new BulwarkClient(http);
    }

    /// <summary>The server this client talks to.</summary>
    public Uri? BaseAddress => http.BaseAddress;

    /// <summary><c>POST /v1/jobs</c>: 202 for a new job, 200 for an idempotent repeat or a dry run.</summary>
    public async Task<SubmitResult> SubmitJobAsync(SubmitJobRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await http.PostAsJsonAsync("v1/jobs", request, WireJson.Options, ct);
        await EnsureSuccessAsync(response, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(WireJson.Options, ct);
        if (body.ValueKind == JsonValueKind.Object
            && body.TryGetProperty("dry_run", out var dry) && dry.ValueKind == JsonValueKind.True)
        {
            return new SubmitResult(SubmitOutcome.DryRun, null, body);
        }

        var job = body.Deserialize<JobView>(WireJson.Options)
            ?? throw new BulwarkApiException((int)response.StatusCode, "invalid_response", "The server answered without a job.", null);
        var outcome = response.StatusCode == HttpStatusCode.Accepted ? SubmitOutcome.Created : SubmitOutcome.Existing;
        return new SubmitResult(outcome, job, body);
    }

    /// <summary><c>GET /v1/jobs/{id}</c>; another tenant's job is a 404 like a missing one.</summary>
    public Task<JobView> GetJobAsync(string id, CancellationToken ct = default) =>
        GetJsonAsync<JobView>($"v1/jobs/{Segment(id)}", ct);

    /// <summary><c>GET /v1/jobs</c>, newest first.</summary>
    public Task<JobList> ListJobsAsync(
        string? state = null, string? template = null, int? limit = null, string? cursor = null, CancellationToken ct = default)
    {
        var query = new StringBuilder("v1/jobs");
        var separator = '?';
        void Add(string name, string? value)
        {
            if (value is null)
            {
                return;
            }

            query.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        Add("state", state);
        Add("template", template);
        Add("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("cursor", cursor);
        return GetJsonAsync<JobList>(query.ToString(), ct);
    }

    /// <summary><c>POST /v1/jobs/{id}/cancel</c>: a queued job is cancelled at once, a running one is killed first.</summary>
    public async Task<JobView> CancelJobAsync(string id, CancellationToken ct = default)
    {
        using var response = await http.PostAsync($"v1/jobs/{Segment(id)}/cancel", content: null, ct);
        return await ReadAsync<JobView>(response, ct);
    }

    /// <summary><c>GET /v1/jobs/{id}/logs</c>: every attempt's output as text.</summary>
    public async Task<string> GetLogsAsync(string id, CancellationToken ct = default)
    {
        using var response = await http.GetAsync($"v1/jobs/{Segment(id)}/logs", ct);
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    /// <summary>
    /// <c>GET /v1/jobs/{id}/logs?follow=true</c> (JOB-6): the job's log entries after
    /// <paramref name="afterId"/>, then each new one as it is stored; the sequence ends when the job
    /// has ended. A stream the server closes early (a restart) is resumed after the last entry seen.
    /// </summary>
    public async IAsyncEnumerable<JobLogLine> FollowLogsAsync(
        string id, long afterId = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var path = $"v1/jobs/{Segment(id)}/logs?follow=true";
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (afterId > 0)
            {
                request.Headers.Add("Last-Event-ID", afterId.ToString(CultureInfo.InvariantCulture));
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            await EnsureSuccessAsync(response, ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await foreach (var e in ServerSentEventReader.ReadAsync(body, ct))
            {
                if (e.Name == "end")
                {
                    yield break;
                }

                if (e.Name == "log" && long.TryParse(e.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var eventId))
                {
                    var entry = JsonSerializer.Deserialize<LogData>(e.Data, WireJson.Options)
                        ?? throw new BulwarkApiException((int)response.StatusCode, "invalid_response", "The server sent an empty log event.", null);
                    afterId = eventId;
                    yield return new JobLogLine(eventId, entry.Attempt, entry.Stream, entry.Text, entry.At);
                }
            }

            // Closed without an end event: the server went away mid-stream. Pause, then resume.
            await Task.Delay(ReconnectDelay, ct);
        }
    }

    /// <summary><c>GET /v1/templates</c>: the newest version of each template the caller may use.</summary>
    public async Task<IReadOnlyList<TemplateView>> ListTemplatesAsync(CancellationToken ct = default)
    {
        var body = await GetJsonAsync<JsonElement>("v1/templates", ct);
        // Accept both a bare array and an envelope, so a paged answer later does not break callers.
        var items = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("templates", out var inner) ? inner : body;
        return items.Deserialize<List<TemplateView>>(WireJson.Options) ?? [];
    }

    /// <summary><c>PUT /v1/templates/{key}</c> with the template's JSON text; returns the new version.</summary>
    public async Task<TemplateView> PutTemplateAsync(string key, string templateJson, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(templateJson);
        using var content = new StringContent(templateJson, Encoding.UTF8, "application/json");
        using var response = await http.PutAsync($"v1/templates/{Segment(key)}", content, ct);
        return await ReadAsync<TemplateView>(response, ct);
    }

    /// <summary><c>GET /v1/whoami</c>: tenant, subject, authentication method, roles and scopes of the caller.</summary>
    public Task<CallerIdentity> WhoAmIAsync(CancellationToken ct = default) =>
        GetJsonAsync<CallerIdentity>("v1/whoami", ct);

    private async Task<T> GetJsonAsync<T>(string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        return await ReadAsync<T>(response, ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<T>(WireJson.Options, ct)
            ?? throw new BulwarkApiException((int)response.StatusCode, "invalid_response", "The server answered with an empty body.", null);
    }

    // Ids are opaque: escape them so a '/' or '?' in one cannot reach another route.
    private static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return Uri.EscapeDataString(value);
    }

    private sealed record LogData(int Attempt, string Stream, string Text, DateTimeOffset At);

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(ct);
        throw ProblemReader.Read(status, response.Content.Headers.ContentType?.MediaType, text);
    }
}
