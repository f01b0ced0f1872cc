using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bulwark.Server.Tests.Egress;

/// <summary>
/// A TCP listener on a loopback address that counts every connection it accepts and answers each
/// request with what <see cref="Answer"/> writes (null: never answers). The only thing the egress
/// tests ever connect to (Rule 9: loopback only).
/// </summary>
internal sealed class LoopbackListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _accepted;

    private LoopbackListener(IPAddress address, Func<string, byte[]?> answer)
    {
        Answer = answer;
        _listener = new TcpListener(address, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Func<string, byte[]?> Answer { get; set; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>The requests received (request line, headers and body), in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static LoopbackListener Start(Func<string, byte[]?> answer) => new(IPAddress.Loopback, answer);

    /// <summary>A listener on ::1, or null when this host has no IPv6 loopback.</summary>
    public static LoopbackListener? StartV6(Func<string, byte[]?> answer)
    {
        try
        {
            return new LoopbackListener(IPAddress.IPv6Loopback, answer);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    public static byte[] Response(int status, string body, params string[] headers)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder($"HTTP/1.1 {status} X\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        return [.. Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), .. bytes];
    }

    public static byte[] Ok(string body) => Response(200, body, "Content-Type: text/plain");

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            // On its own task: an answer that takes its time must not hold up the next connection.
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var body = new byte[ContentLength(head)];
                await stream.ReadExactlyAsync(body, _stop.Token);
                Requests.Enqueue(head + Encoding.UTF8.GetString(body));
                var answer = Answer(head);
                if (answer is null)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }

                await stream.WriteAsync(answer, _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away or the test ended.
            }
        }
    }

    private static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                break;
            }

            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^1] == '\n' && buffer[^2] == '\r' && buffer[^3] == '\n' && buffer[^4] == '\r')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. buffer]);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
