using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Bulwark.Server.Hosting;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Transport;

/// <summary>
/// NET-4 on Kestrel's own TLS: 1.3 when the client has it, 1.2 still accepted, anything older
/// refused; a certificate that cannot be used is one sentence naming the setting before start.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private readonly SelfSignedServerCertificate _certificate = new();

    private Task<ServerFixture> StartHttpsAsync() => ServerFixture.StartAsync(o =>
    {
        o.Urls = "https://127.0.0.1:0";
        o.TlsCertificatePath = _certificate.CertificatePath;
        o.TlsCertificateKeyPath = _certificate.KeyPath;
    });

    /// <summary>A raw handshake offering only <paramref name="protocols"/>; returns what was agreed.</summary>
    private async Task<SslProtocols> HandshakeAsync(Uri server, SslProtocols protocols)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = (_, presented, _, _) => _certificate.IsThisCertificate(presented),
        });
        return tls.SslProtocol;
    }

    [Fact] // NET-4: 1.3 preferred
    public async Task A_TLS_1_3_client_negotiates_TLS_1_3()
    {
        await using var server = await StartHttpsAsync();

        Assert.Equal(SslProtocols.Tls13, await HandshakeAsync(server.Http.BaseAddress!, SslProtocols.Tls12 | SslProtocols.Tls13));
        Assert.Equal(SslProtocols.Tls13, await HandshakeAsync(server.Http.BaseAddress!, SslProtocols.Tls13));
    }

    [Fact] // NET-4: 1.2 minimum, still accepted
    public async Task A_TLS_1_2_only_client_negotiates_TLS_1_2()
    {
        await using var server = await StartHttpsAsync();

        Assert.Equal(SslProtocols.Tls12, await HandshakeAsync(server.Http.BaseAddress!, SslProtocols.Tls12));
    }

    [Fact] // NET-4: below 1.2 is refused
    public async Task A_TLS_1_1_or_1_0_only_client_is_refused()
    {
        await using var server = await StartHttpsAsync();
        // The server offers 1.2 and 1.3 only. The client side may also refuse to offer 1.1/1.0 at
        // all (OpenSSL's default security level forbids them); either way no session is made,
        // which is what this asserts: the handshake fails, whichever side stops it.
#pragma warning disable SYSLIB0039 // deliberately the obsolete protocols: they are what must be refused
        var legacy = SslProtocols.Tls11 | SslProtocols.Tls;
#pragma warning restore SYSLIB0039
        var e = await Record.ExceptionAsync(() => HandshakeAsync(server.Http.BaseAddress!, legacy));

        Assert.True(e is AuthenticationException or IOException, $"expected a failed handshake, got {e?.GetType().Name ?? "a session"}");
        // The same server still answers a modern client.
        Assert.Equal(SslProtocols.Tls13, await HandshakeAsync(server.Http.BaseAddress!, SslProtocols.None));
    }

    [Fact] // NET-4: https end to end, with the certificate the operator gave
    public async Task Https_requests_are_served_with_the_configured_certificate()
    {
        await using var server = await StartHttpsAsync();
        using var http = _certificate.Client(server.Http.BaseAddress!);

        using var response = await http.GetAsync("/healthz");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact] // NET-4: an expired certificate is refused before anything listens, in one sentence
    public async Task Server_refuses_to_start_with_an_expired_certificate()
    {
        using var expired = new SelfSignedServerCertificate(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));

        var e = await Assert.ThrowsAsync<BulwarkSettingsException>(() => ServerFixture.StartAsync(o =>
        {
            o.Urls = "https://127.0.0.1:0";
            o.TlsCertificatePath = expired.CertificatePath;
            o.TlsCertificateKeyPath = expired.KeyPath;
        }));

        AssertOneSentence(e.Message);
        Assert.Contains("BULWARK_TLS_CERTIFICATE_PATH", e.Message, StringComparison.Ordinal);
        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
    }

    [Theory] // NET-4: missing or unreadable files are named, not a stack trace
    [InlineData("missing")]
    [InlineData("unreadable")]
    public void Configuration_refuses_a_certificate_file_that_cannot_be_read(string problem)
    {
        var path = Path.Combine(_certificate.Directory, problem + ".pem");
        if (problem == "unreadable")
        {
            File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        }

        var e = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_URLS"] = "https://127.0.0.1:8443",
            ["BULWARK_TLS_CERTIFICATE_PATH"] = path,
            ["BULWARK_TLS_CERTIFICATE_KEY_PATH"] = _certificate.KeyPath,
        }));

        AssertOneSentence(e.Message);
        Assert.Contains("BULWARK_TLS_CERTIFICATE_PATH", e.Message, StringComparison.Ordinal);
    }

    [Fact] // NET-4: https:// in BULWARK_URLS without a certificate is a configuration error
    public void Configuration_refuses_an_https_address_without_a_certificate()
    {
        var e = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_URLS"] = "https://127.0.0.1:8443",
        }));

        AssertOneSentence(e.Message);
        Assert.Contains("BULWARK_TLS_CERTIFICATE_PATH", e.Message, StringComparison.Ordinal);
    }

    private static void AssertOneSentence(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        Assert.EndsWith(".", message, StringComparison.Ordinal);
    }

    public void Dispose() => _certificate.Dispose();
}
