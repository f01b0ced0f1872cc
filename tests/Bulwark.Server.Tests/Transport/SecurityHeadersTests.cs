using System.Net;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Transport;

/// <summary>NET-4: the security headers on every answer of the real server; HSTS over https only.</summary>
public sealed class SecurityHeadersTests
{
    private static readonly (string Name, string Value)[] Expected =
    [
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ];

    internal static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        foreach (var (name, value) in Expected)
        {
            Assert.True(Header(response, name) == value, $"{name} on {(int)response.StatusCode}: '{Header(response, name)}'");
        }

        var permissions = Header(response, "Permissions-Policy");
        Assert.Contains("camera=()", permissions, StringComparison.Ordinal);
        Assert.Contains("geolocation=()", permissions, StringComparison.Ordinal);
    }

    internal static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    [Fact] // NET-4: success, refusal, unknown route and unknown method alike; no HSTS over plain http
    public async Task Every_http_answer_carries_the_security_headers_and_no_HSTS()
    {
        await using var server = await ServerFixture.StartAsync();

        using var ok = await server.SendAsync(HttpMethod.Get, "/healthz", null);
        using var unauthenticated = await server.SendAsync(HttpMethod.Get, "/v1/whoami", "bwk_not_a_key");
        using var missing = await server.SendAsync(HttpMethod.Get, "/no/such/route", null);
        using var badJson = await server.SendAsync(HttpMethod.Post, "/v1/jobs", server.AdminKey, "{not json");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        foreach (var response in new[] { ok, unauthenticated, missing, badJson })
        {
            AssertSecurityHeaders(response);
            Assert.Null(Header(response, "Strict-Transport-Security"));
        }
    }

    [Fact] // NET-4: HSTS with the default max-age (one year) and includeSubDomains over https
    public async Task Https_answers_carry_HSTS_with_the_default_max_age()
    {
        using var certificate = new SelfSignedServerCertificate();
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.Urls = "https://127.0.0.1:0";
            o.TlsCertificatePath = certificate.CertificatePath;
            o.TlsCertificateKeyPath = certificate.KeyPath;
        });
        using var http = certificate.Client(server.Http.BaseAddress!);

        using var ok = await http.GetAsync("/healthz");
        using var missing = await http.GetAsync("/no/such/route");

        foreach (var response in new[] { ok, missing })
        {
            AssertSecurityHeaders(response);
            Assert.Equal("max-age=31536000; includeSubDomains", Header(response, "Strict-Transport-Security"));
        }
    }

    [Fact] // NET-4: BULWARK_HSTS_MAX_AGE_SECONDS sets the max-age
    public async Task Https_HSTS_max_age_follows_the_setting()
    {
        using var certificate = new SelfSignedServerCertificate();
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.Urls = "https://127.0.0.1:0";
            o.TlsCertificatePath = certificate.CertificatePath;
            o.TlsCertificateKeyPath = certificate.KeyPath;
            o.HstsMaxAgeSeconds = 600;
        });
        using var http = certificate.Client(server.Http.BaseAddress!);

        using var ok = await http.GetAsync("/healthz");

        Assert.Equal("max-age=600; includeSubDomains", Header(ok, "Strict-Transport-Security"));
    }

    [Theory] // NET-4: a max-age outside 0..2 years is a setting to fix
    [InlineData("-1")]
    [InlineData("63072001")]
    public void Configuration_refuses_an_HSTS_max_age_out_of_range(string value)
    {
        var e = Assert.Throws<Bulwark.Server.Hosting.BulwarkSettingsException>(() =>
            Bulwark.Server.Hosting.BulwarkConfiguration.Load(new Dictionary<string, string?> { ["BULWARK_HSTS_MAX_AGE_SECONDS"] = value }));
        Assert.Contains("BULWARK_HSTS_MAX_AGE_SECONDS", e.Message, StringComparison.Ordinal);
    }
}
