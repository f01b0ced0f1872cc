using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Bulwark.Core.Egress;

namespace Bulwark.Server.Egress;

/// <summary>
/// Sends one outbound request through the guard (NET-1). Every hop, the first and each redirect,
/// is checked in full before anything is sent, and its connection goes to an address the guard
/// checked: the handler's <c>ConnectCallback</c> never resolves the name again, so DNS cannot
/// answer differently the second time. No proxy, no cookies, no decompression; the body is read
/// up to the cap and the whole exchange, redirects included, runs under one time cap.
/// </summary>
internal sealed class EgressClient(EgressRules rules, IHostResolver resolver, long maxResponseBytes, TimeSpan timeout)
{
    public const int MaxRedirects = 5;

    private readonly EgressGuard _guard = new(rules, resolver);

    /// <param name="onHop">Called for every hop sent or refused, before the next one (the audit trail).</param>
    /// <exception cref="EgressException">Refused, timed out, too large, or failed; the code says which.</exception>
    public async Task<EgressResponse> SendAsync(
        EgressRequest request, EgressAllowList allowList, Func<EgressHop, Task> onHop, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onHop);
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cap.CancelAfter(timeout);

        var method = new HttpMethod(request.Method);
        var headers = request.Headers;
        var body = request.Body;
        Uri? previous = null;
        var url = request.Url;
        for (var hop = 0; ; hop++)
        {
            EgressDecision decision;
            try
            {
                decision = await _guard.CheckAsync(url, allowList, cap.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Audited like every other end of a hop: the lookup used up the request's time.
                var target = Uri.TryCreate(url, UriKind.Absolute, out var asked) ? EgressDecision.TargetOf(asked) : "(invalid url)";
                await onHop(new EgressHop(target, "failed", null, null, EgressException.Timeout));
                throw new EgressException(EgressException.Timeout, $"The request's host could not be resolved within {timeout.TotalSeconds:0} s.");
            }

            if (!decision.Allowed)
            {
                var denied = decision.Code == EgressDecision.DeniedCode;
                await onHop(new EgressHop(decision.Target, denied ? "denied" : "failed", null, null, decision.Reason));
                throw new EgressException(decision.Code ?? EgressException.Denied, decision.Message ?? "The request was refused.");
            }

            var uri = decision.Uri!;
            // A header the job set (a secret, say) is for the origin it named, not wherever that origin redirects.
            if (previous is not null && !SameOrigin(previous, uri))
            {
                headers = new Dictionary<string, string>();
            }

            EgressResponse response;
            try
            {
                response = await SendOnceAsync(decision, method, headers, body, request.ContentType, cap.Token);
            }
            catch (EgressException e)
            {
                await onHop(new EgressHop(decision.Target, "failed", null, null, e.Code));
                throw;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await onHop(new EgressHop(decision.Target, "failed", null, null, EgressException.Timeout));
                throw new EgressException(EgressException.Timeout,
                    $"The request to host '{decision.Host}' did not complete within {timeout.TotalSeconds:0} s.");
            }
            catch (HttpRequestException e)
            {
                await onHop(new EgressHop(decision.Target, "failed", null, null, EgressException.Failed));
                throw new EgressException(EgressException.Failed, $"The request to host '{decision.Host}' failed: {Describe(e)}");
            }

            await onHop(new EgressHop(decision.Target, "success", response.Status, response.Body.LongLength, null));
            if (!IsRedirect(response.Status) || !response.Headers.TryGetValue("location", out var location))
            {
                return response;
            }

            if (hop == MaxRedirects)
            {
                throw new EgressException(EgressException.Failed,
                    $"The request to host '{decision.Host}' was redirected more than {MaxRedirects} times.");
            }

            if (!Uri.TryCreate(uri, location, out var next))
            {
                throw new EgressException(EgressException.Failed, $"Host '{decision.Host}' redirected to a location that is not a URL.");
            }

            // 303, and 301/302 after anything but GET or HEAD, become a GET without a body (as browsers do).
            if (response.Status == 303 || (response.Status is 301 or 302 && method != HttpMethod.Get && method != HttpMethod.Head))
            {
                method = method == HttpMethod.Head ? HttpMethod.Head : HttpMethod.Get;
                body = null;
            }

            previous = uri;
            url = next.AbsoluteUri;
        }
    }

    private async Task<EgressResponse> SendOnceAsync(
        EgressDecision decision,
        HttpMethod method,
        IReadOnlyDictionary<string, string> headers,
        byte[]? body,
        string? contentType,
        CancellationToken ct)
    {
        // A handler per hop: its only way out is the checked addresses, and no pooled connection outlives the decision.
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxResponseHeadersLength = 64,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = (context, token) => ConnectAsync(decision, context, token),
        };
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        using var message = new HttpRequestMessage(method, decision.Uri);
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/octet-stream");
        }

        foreach (var (name, value) in headers)
        {
            if (!name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
            else if (message.Content is not null)
            {
                // A content header (Content-Type…) belongs to the body; without one it has nowhere to go.
                message.Content.Headers.Remove(name);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        var collected = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            collected[name.ToLowerInvariant()] = string.Join(", ", values);
        }

        if (method != HttpMethod.Head && response.Content.Headers.ContentLength > maxResponseBytes)
        {
            throw TooLarge(decision);
        }

        var bytes = await ReadCappedAsync(response.Content, decision, ct);
        return new EgressResponse((int)response.StatusCode, collected, bytes, decision.Target);
    }

    private async Task<byte[]> ReadCappedAsync(HttpContent content, EgressDecision decision, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxResponseBytes)
            {
                throw TooLarge(decision);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private EgressException TooLarge(EgressDecision decision) => new(EgressException.TooLarge,
        $"The response from host '{decision.Host}' is larger than the {maxResponseBytes}-byte egress limit.");

    /// <summary>
    /// Connects to the first checked address that answers. The name the handler asks for must be
    /// the one the guard checked; anything else is a bug, and nothing is sent.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(EgressDecision decision, SocketsHttpConnectionContext context, CancellationToken ct)
    {
        if (context.DnsEndPoint.Port != decision.Port
            || !string.Equals(context.DnsEndPoint.Host.Trim('[', ']'), decision.Uri!.IdnHost.Trim('[', ']'), StringComparison.OrdinalIgnoreCase))
        {
            throw new HttpRequestException("The connection asked for another host than the egress guard checked.");
        }

        SocketException? last = null;
        foreach (var address in decision.Addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, decision.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new HttpRequestException($"No address of the host accepted the connection ({last?.SocketErrorCode}).", last);
    }

    private static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase);

    private static string Describe(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "the name could not be resolved.",
        HttpRequestError.ConnectionError => "the connection could not be made.",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed.",
        HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded => "the response was not valid HTTP.",
        _ => "a network error occurred.",
    };
}
