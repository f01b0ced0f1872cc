using System.Globalization;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Jobs;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Logs;

/// <summary>
/// The event stream of a followed job (JOB-6), in the text/event-stream format:
/// <code>
/// id: 3
/// event: log
/// data: {"attempt":1,"stream":"runtime","text":"[info] one\n","at":"2026-01-02T03:04:05.678+00:00"}
///
/// event: end
/// data: {"state":"succeeded"}
/// </code>
/// A log event's id is the entry's 1-based position in the job's logs, which only grow, so a
/// client resumes with <c>Last-Event-ID</c>. Lines starting with ':' are keepalive comments.
/// </summary>
internal sealed class ServerSentEvents(HttpResponse response)
{
    public const string ContentType = "text/event-stream";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Sends the headers at once, so the client knows the stream is open before any event.</summary>
    public Task StartAsync(CancellationToken ct)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        // Proxies that buffer (nginx) would hold the events back.
        response.Headers["X-Accel-Buffering"] = "no";
        return response.Body.FlushAsync(ct);
    }

    public Task WriteLogAsync(long id, JobLogEntry entry, CancellationToken ct)
    {
        var data = JsonSerializer.Serialize(new LogData(entry.Attempt, entry.Stream, entry.Text, entry.At), Json);
        return WriteAsync($"id: {id.ToString(CultureInfo.InvariantCulture)}\nevent: log\ndata: {data}\n\n", ct);
    }

    public Task WriteEndAsync(JobState state, CancellationToken ct) =>
        WriteAsync($"event: end\ndata: {JsonSerializer.Serialize(new EndData(state.ToName()), Json)}\n\n", ct);

    public Task WriteKeepaliveAsync(CancellationToken ct) => WriteAsync(": keepalive\n\n", ct);

    public Task FlushAsync(CancellationToken ct) => response.Body.FlushAsync(ct);

    private Task WriteAsync(string text, CancellationToken ct) => response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct).AsTask();

    private sealed record LogData(int Attempt, string Stream, string Text, DateTimeOffset At);

    private sealed record EndData(string State);
}
