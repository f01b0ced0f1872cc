using System.Net.Http.Headers;
using System.Text;

namespace Bulwark.Server.Tests.Logs;

/// <summary>One server-sent event as it came over the wire.</summary>
public sealed record WireEvent(string? Id, string Event, string Data);

/// <summary>
/// A raw <c>GET /v1/jobs/{id}/logs?follow=true</c> read line by line, so the tests see the wire
/// format itself (JOB-6). Every read is bounded by the stream's own deadline.
/// </summary>
public sealed class EventStream : IDisposable
{
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));
    private StreamReader? _reader;

    private EventStream(HttpResponseMessage response) => Response = response;

    public HttpResponseMessage Response { get; }

    /// <summary>Comment lines seen so far (keepalives).</summary>
    public List<string> Comments { get; } = [];

    public static async Task<EventStream> OpenAsync(HttpClient http, string jobId, string key, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{jobId}/logs?follow=true");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var headersDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersDeadline.Token);
        return new EventStream(response);
    }

    /// <summary>The next event, or null when the server completed the response.</summary>
    public async Task<WireEvent?> NextAsync()
    {
        _reader ??= new StreamReader(await Response.Content.ReadAsStreamAsync(_deadline.Token), Encoding.UTF8);
        string? id = null;
        string? name = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync(_deadline.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null || data.Length > 0)
                {
                    return new WireEvent(id, name ?? "message", data.ToString());
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                Comments.Add(line);
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line[6..]);
            }
            else
            {
                Assert.Fail($"not an event-stream line: {line}");
            }
        }

        return null;
    }

    /// <summary>Every event up to and including <c>end</c>, then asserts the response completed.</summary>
    public async Task<List<WireEvent>> ReadToEndAsync()
    {
        var events = new List<WireEvent>();
        while (await NextAsync() is { } next)
        {
            events.Add(next);
        }

        Assert.True(events.Count > 0 && events[^1].Event == "end", $"the stream closed without an end event: {string.Join(" | ", events)}");
        return events;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        Response.Dispose();
        _deadline.Dispose();
    }
}
