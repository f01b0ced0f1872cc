using System.Net.Sockets;
using Bulwark.Core.Egress;
using Bulwark.Server.Egress;

namespace Bulwark.Server.Tests.Egress;

/// <summary>
/// NET-1 with real sockets, against loopback listeners only (nothing else is ever contacted):
/// refused spellings of loopback send nothing, the connection goes to the checked address (no
/// second lookup), redirects are checked again, and the size and time caps hold.
/// </summary>
public sealed class EgressClientTests
{
    private static readonly EgressAllowList Any = EgressAllowList.Parse("*");

    private static EgressClient Client(EgressRules rules, IHostResolver? resolver = null, long maxBytes = 1024 * 1024, int timeoutSeconds = 10) =>
        new(rules, resolver ?? new SystemHostResolver(), maxBytes, TimeSpan.FromSeconds(timeoutSeconds));

    private static EgressRequest Get(string url, Dictionary<string, string>? headers = null) =>
        new() { Method = "GET", Url = url, Headers = headers ?? [] };

    [Fact] // NET-1, AUD-1: every spelling of this host is refused with loopback off, and the listener never sees a connection
    public async Task Loopback_in_any_spelling_is_refused_and_nothing_is_sent()
    {
        await using var v4 = LoopbackListener.Start(_ => LoopbackListener.Ok("reached"));
        await using var v6 = LoopbackListener.StartV6(_ => LoopbackListener.Ok("reached"));
        var ports = v6 is null ? new[] { v4.Port } : [v4.Port, v6.Port];
        var client = Client(new EgressRules { AllowedPorts = ports, AllowLoopback = false });
        var urls = new List<string>
        {
            $"http://127.1:{v4.Port}/",
            $"http://2130706433:{v4.Port}/",
            $"http://0x7f.1:{v4.Port}/",
            $"http://0177.0.0.1:{v4.Port}/",
            $"http://[::ffff:127.0.0.1]:{v4.Port}/",
            $"http://0.0.0.0:{v4.Port}/",
            $"http://0:{v4.Port}/",
            $"http://localhost:{v4.Port}/",
            $"http://127.0.0.1:{v4.Port}/",
        };
        if (v6 is not null)
        {
            urls.Add($"http://[::1]:{v6.Port}/");
            urls.Add($"http://[::]:{v6.Port}/");
        }

        var hops = new List<EgressHop>();
        foreach (var url in urls)
        {
            var e = await Assert.ThrowsAsync<EgressException>(() =>
                client.SendAsync(Get(url), Any, hop => { hops.Add(hop); return Task.CompletedTask; }, CancellationToken.None));
            Assert.True(EgressException.Denied == e.Code, url + ": " + e.Message);
        }

        Assert.Equal(0, v4.Accepted);
        Assert.Equal(0, v6?.Accepted ?? 0);
        Assert.Equal(urls.Count, hops.Count);
        Assert.All(hops, h => Assert.Equal("denied", h.Outcome));
    }

    [Fact] // NET-1: the connection goes to the address the guard checked; the handler never resolves the name itself
    public async Task Connection_goes_to_the_checked_address_without_a_second_lookup()
    {
        await using var listener = LoopbackListener.Start(_ => LoopbackListener.Ok("hello"));
        // No real resolver knows rebind.test: only the checked answer can have reached the listener.
        var resolver = new ListResolver(new() { ["rebind.test"] = ["127.0.0.1"] });
        var client = Client(new EgressRules { AllowedPorts = [listener.Port], AllowLoopback = true }, resolver);

        var response = await client.SendAsync(
            Get($"http://rebind.test:{listener.Port}/path?q=1"), EgressAllowList.Parse("rebind.test"), _ => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(200, response.Status);
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(response.Body));
        Assert.Equal(1, listener.Accepted);
        Assert.Equal(1, resolver.Lookups);
        Assert.Contains($"Host: rebind.test:{listener.Port}", Assert.Single(listener.Requests), StringComparison.Ordinal);
        Assert.Equal($"http://rebind.test:{listener.Port}/path", response.Target);
    }

    [Fact] // NET-1, AUD-1: a lookup that never answers ends the request at the time cap, and the hop is still audited
    public async Task A_lookup_that_outlasts_the_time_cap_fails_with_egress_timeout_and_is_audited()
    {
        var client = Client(new EgressRules { AllowedPorts = [80], AllowLoopback = false }, new SilentResolver(), timeoutSeconds: 1);
        var hops = new List<EgressHop>();

        var e = await Assert.ThrowsAsync<EgressException>(() => client.SendAsync(
            Get("http://slow.test/hook?token=x"), EgressAllowList.Parse("slow.test"), hop => { hops.Add(hop); return Task.CompletedTask; }, CancellationToken.None));

        Assert.Equal(EgressException.Timeout, e.Code);
        var hop = Assert.Single(hops);
        Assert.Equal("failed", hop.Outcome);
        Assert.Equal(EgressException.Timeout, hop.Reason);
        Assert.Equal("http://slow.test:80/hook", hop.Target);
    }

    /// <summary>A DNS server that never answers (an injected fault): the lookup ends only when cancelled.</summary>
    private sealed class SilentResolver : IHostResolver
    {
        public async Task<IReadOnlyList<System.Net.IPAddress>> ResolveAsync(string host, CancellationToken ct)
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        }
    }

    [Fact] // NET-1: one good and one denied answer is a refusal; the guard does not pick the good one
    public async Task Name_resolving_to_an_allowed_and_a_denied_address_is_refused_without_connecting()
    {
        await using var listener = LoopbackListener.Start(_ => LoopbackListener.Ok("hello"));
        var resolver = new ListResolver(new() { ["mixed.test"] = ["127.0.0.1", "10.0.0.5"] });
        var client = Client(new EgressRules { AllowedPorts = [listener.Port], AllowLoopback = true }, resolver);

        var e = await Assert.ThrowsAsync<EgressException>(() => client.SendAsync(
            Get($"http://mixed.test:{listener.Port}/"), EgressAllowList.Parse("mixed.test"), _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(EgressException.Denied, e.Code);
        Assert.DoesNotContain("10.0.0.5", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, listener.Accepted);
    }

    [Fact] // NET-1: a redirect to the metadata address is checked like the first URL, and refused before any connection
    public async Task Redirect_to_cloud_metadata_is_refused()
    {
        await using var a = LoopbackListener.Start(_ => LoopbackListener.Response(302, "", "Location: http://169.254.169.254/latest/meta-data/"));
        var client = Client(new EgressRules { AllowedPorts = [80, a.Port], AllowLoopback = true });
        var hops = new List<EgressHop>();

        var e = await Assert.ThrowsAsync<EgressException>(() => client.SendAsync(
            Get($"http://127.0.0.1:{a.Port}/"), Any, hop => { hops.Add(hop); return Task.CompletedTask; }, CancellationToken.None));

        Assert.Equal(EgressException.Denied, e.Code);
        Assert.Equal(1, a.Accepted);
        Assert.Equal(["success", "denied"], hops.Select(h => h.Outcome));
        Assert.Equal("cloud_metadata", hops[1].Reason);
        Assert.Equal("http://169.254.169.254:80/latest/meta-data/", hops[1].Target);
    }

    [Fact] // NET-1: a redirect to another loopback listener on a port that is not allowed never reaches it
    public async Task Redirect_to_a_port_that_is_not_allowed_is_refused_and_the_target_sees_nothing()
    {
        await using var b = LoopbackListener.Start(_ => LoopbackListener.Ok("b"));
        await using var a = LoopbackListener.Start(_ => LoopbackListener.Response(307, "", $"Location: http://127.1:{b.Port}/"));
        var client = Client(new EgressRules { AllowedPorts = [a.Port], AllowLoopback = true });

        var e = await Assert.ThrowsAsync<EgressException>(() => client.SendAsync(
            Get($"http://127.0.0.1:{a.Port}/"), Any, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(EgressException.Denied, e.Code);
        Assert.Equal(1, a.Accepted);
        Assert.Equal(0, b.Accepted);
    }

    [Fact] // NET-1: an allowed redirect is followed to another origin without the headers the job set (its secrets)
    public async Task Redirect_is_followed_and_cross_origin_hops_lose_the_jobs_headers()
    {
        await using var b = LoopbackListener.Start(_ => LoopbackListener.Ok("from b"));
        await using var a = LoopbackListener.Start(_ => LoopbackListener.Response(302, "", $"Location: http://localhost:{b.Port}/next"));
        var client = Client(new EgressRules { AllowedPorts = [a.Port, b.Port], AllowLoopback = true });

        var response = await client.SendAsync(
            Get($"http://127.0.0.1:{a.Port}/", new() { ["X-Token"] = "s3cr3t-value" }), Any, _ => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(200, response.Status);
        Assert.Equal("from b", System.Text.Encoding.UTF8.GetString(response.Body));
        Assert.Contains("X-Token: s3cr3t-value", Assert.Single(a.Requests), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", Assert.Single(b.Requests), StringComparison.Ordinal);
    }

    [Fact] // NET-1: at most five redirects are followed
    public async Task Sixth_redirect_fails()
    {
        await using var a = LoopbackListener.Start(_ => LoopbackListener.Response(302, "", "Location: /again"));
        var client = Client(new EgressRules { AllowedPorts = [a.Port], AllowLoopback = true });

        var e = await Assert.ThrowsAsync<EgressException>(() => client.SendAsync(
            Get($"http://127.0.0.1:{a.Port}/"), Any, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(EgressException.Failed, e.Code);
        Assert.Equal(EgressClient.MaxRedirects + 1, a.Accepted);
    }

    [Theory] // NET-1: the size cap, whether the server announces the length or not
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_over_the_cap_fails_as_too_large(bool announced)
    {
        var big = new string('x', 5000);
        await using var a = LoopbackListener.Start(_ => announced
            ? LoopbackListener.Ok(big)
            : System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + big));
        var client = Client(new EgressRules { AllowedPorts = [a.Port], AllowLoopback = true }, maxBytes: 1000);
        var hops = new List<EgressHop>();

        var e = await Assert.ThrowsAsync<EgressException>(() => client.SendAsync(
            Get($"http://127.0.0.1:{a.Port}/"), Any, hop => { hops.Add(hop); return Task.CompletedTask; }, CancellationToken.None));

        Assert.Equal(EgressException.TooLarge, e.Code);
        Assert.Equal("failed", Assert.Single(hops).Outcome);
    }

    [Fact] // NET-1: no decompression, so a compressed bomb stays the size it was sent at, and that is what the cap counts
    public async Task Compressed_body_is_not_decompressed()
    {
        await using var a = LoopbackListener.Start(_ => LoopbackListener.Response(200, "not really gzip", "Content-Encoding: gzip"));
        var client = Client(new EgressRules { AllowedPorts = [a.Port], AllowLoopback = true });

        var response = await client.SendAsync(Get($"http://127.0.0.1:{a.Port}/"), Any, _ => Task.CompletedTask, CancellationToken.None);

        Assert.Equal("not really gzip", System.Text.Encoding.UTF8.GetString(response.Body));
        Assert.DoesNotContain("Accept-Encoding", Assert.Single(a.Requests), StringComparison.OrdinalIgnoreCase);
    }

    [Fact] // NET-1: the time cap ends a request the server never answers
    public async Task Server_that_never_answers_times_out()
    {
        await using var a = LoopbackListener.Start(_ => null);
        var client = Client(new EgressRules { AllowedPorts = [a.Port], AllowLoopback = true }, timeoutSeconds: 1);

        var e = await Assert.ThrowsAsync<EgressException>(() => client.SendAsync(
            Get($"http://127.0.0.1:{a.Port}/"), Any, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(EgressException.Timeout, e.Code);
        Assert.Equal(1, a.Accepted);
    }

    [Fact] // NET-1: a connection refused is a failure with its own code, not a refusal
    public async Task Closed_port_fails()
    {
        int port;
        using (var probe = new TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var client = Client(new EgressRules { AllowedPorts = [port], AllowLoopback = true });

        var e = await Assert.ThrowsAsync<EgressException>(() => client.SendAsync(
            Get($"http://127.0.0.1:{port}/"), Any, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(EgressException.Failed, e.Code);
    }
}
