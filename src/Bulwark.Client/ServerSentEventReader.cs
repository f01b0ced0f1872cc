using System.Runtime.CompilerServices;
using System.Text;

namespace Bulwark.Client;

/// <summary>
/// Reads a text/event-stream as the HTML spec defines it: <c>field: value</c> lines, an event
/// per blank line, several data lines joined by newlines, ':' lines are comments (keepalives).
/// </summary>
internal static class ServerSentEventReader
{
    public static async IAsyncEnumerable<ServerSentEvent> ReadAsync(Stream body, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        string? id = null;
        string? name = null;
        StringBuilder? data = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    yield return new ServerSentEvent(id, name ?? "message", data.ToString());
                }

                id = null;
                name = null;
                data = null;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    name = value;
                    break;
                case "data":
                    data = data is null ? new StringBuilder(value) : data.Append('\n').Append(value);
                    break;
                default:
                    // Unknown fields (retry, …) are ignored, as the spec says.
                    break;
            }
        }
    }
}
