using System.Net;
using Bulwark.Server.Hosting;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Transport;

/// <summary>
/// NET-4: CORS for the configured origins only. A listed origin is echoed (never <c>*</c>, never
/// credentials); any other origin gets no CORS header and its preflight a 403; no origins
/// configured means no CORS at all.
/// </summary>
public sealed class CorsTests
{
    private const string App = "https://app.example.com";
    private const string Evil = "https://evil.example.net";

    private static Task<ServerFixture> StartAsync() =>
        ServerFixture.StartAsync(o => o.CorsOrigins = $"{App}, http://localhost:5173");

    private static HttpRequestMessage Preflight(string origin, string method, string? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/jobs");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null)
        {
            request.Headers.Add("Access-Control-Request-Headers", headers);
        }

        return request;
    }

    private static HttpRequestMessage Get(string path, string? origin, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) => SecurityHeadersTests.Header(response, name);

    [Fact] // NET-4: the listed origin may read the answer, errors included; no credentials mode
    public async Task A_listed_origin_gets_its_own_origin_back_and_Vary_Origin()
    {
        await using var server = await StartAsync();

        using var ok = await server.Http.SendAsync(Get("/v1/whoami", App, server.AdminKey));
        using var refused = await server.Http.SendAsync(Get("/v1/whoami", "http://localhost:5173"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(App, Header(ok, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("http://localhost:5173", Header(refused, "Access-Control-Allow-Origin"));
        foreach (var response in new[] { ok, refused })
        {
            Assert.Contains("Origin", Header(response, "Vary") ?? "", StringComparison.Ordinal);
            Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
            // The page may read when to retry a 429 and the request id to quote.
            Assert.Equal("Retry-After, X-Request-Id", Header(response, "Access-Control-Expose-Headers"));
            SecurityHeadersTests.AssertSecurityHeaders(response);
        }
    }

    [Fact] // NET-4: an origin not in the list gets no CORS header at all (the browser then hides the answer)
    public async Task An_unlisted_origin_gets_no_CORS_headers()
    {
        await using var server = await StartAsync();

        using var response = await server.Http.SendAsync(Get("/v1/whoami", Evil, server.AdminKey));

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Expose-Headers"));
        Assert.Contains("Origin", Header(response, "Vary") ?? "", StringComparison.Ordinal);
    }

    [Fact] // NET-4: preflight of a listed origin: the limited methods and headers, max-age 600
    public async Task A_preflight_from_a_listed_origin_names_the_allowed_methods_and_headers()
    {
        await using var server = await StartAsync();
        var before = await server.Store.ListTenantsAsync(CancellationToken.None);

        using var response = await server.Http.SendAsync(Preflight(App, "POST", "authorization, content-type"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(App, Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("GET, POST, PUT, DELETE", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("Authorization, Content-Type, Last-Event-ID", Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
        Assert.Contains("Origin", Header(response, "Vary") ?? "", StringComparison.Ordinal);
        Assert.Equal(before.Count, (await server.Store.ListTenantsAsync(CancellationToken.None)).Count);
    }

    [Theory] // NET-4: an unlisted origin, a method or a header outside the lists: 403 and no allow headers
    [InlineData(Evil, "POST", null)]
    [InlineData("https://app.example.com.evil.example.net", "GET", null)]
    [InlineData(App, "PATCH", null)]
    [InlineData(App, "POST", "authorization, x-custom")]
    public async Task A_preflight_outside_the_lists_is_refused_with_403_and_no_allow_headers(string origin, string method, string? headers)
    {
        await using var server = await StartAsync();

        using var response = await server.Http.SendAsync(Preflight(origin, method, headers));

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        foreach (var name in new[] { "Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age" })
        {
            Assert.Null(Header(response, name));
        }
    }

    [Fact] // NET-4: empty setting, no CORS at all: no header for any origin, a preflight is just an unknown method
    public async Task Without_configured_origins_there_is_no_CORS()
    {
        await using var server = await ServerFixture.StartAsync();

        using var get = await server.Http.SendAsync(Get("/v1/whoami", App, server.AdminKey));
        using var preflight = await server.Http.SendAsync(Preflight(App, "POST"));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Null(Header(get, "Access-Control-Allow-Origin"));
        await Problem.AssertAsync(preflight, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Methods"));
    }

    [Theory] // NET-4: `*`, patterns, paths and non-http schemes are refused at start, naming the setting
    [InlineData("*")]
    [InlineData("https://*.example.com")]
    [InlineData("https://app.example.com/path")]
    [InlineData("https://app.example.com?x=1")]
    [InlineData("ftp://app.example.com")]
    [InlineData("app.example.com")]
    [InlineData("https://user@app.example.com")]
    public void Configuration_refuses_an_origin_that_is_not_exact(string origin)
    {
        var e = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_CORS_ORIGINS"] = $"{App},{origin}",
        }));

        Assert.Contains("BULWARK_CORS_ORIGINS", e.Message, StringComparison.Ordinal);
    }

    [Fact] // NET-4: the documented name binds; origins are kept in the form a browser sends
    public void Origins_bind_from_BULWARK_CORS_ORIGINS_and_normalise()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_CORS_ORIGINS"] = "https://App.Example.com/, https://app.example.com:8443, http://localhost:5173",
        });

        var origins = Bulwark.Server.Transport.CorsOrigins.Parse(options.CorsOrigins);
        Assert.Equal(["https://app.example.com", "https://app.example.com:8443", "http://localhost:5173"], origins.All);
        Assert.True(origins.Allows("https://app.example.com"));
        Assert.False(origins.Allows("https://app.example.com:444"));
    }
}
