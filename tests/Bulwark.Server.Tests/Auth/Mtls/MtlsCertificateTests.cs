using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Bulwark.Server.Tests.Runtime;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Auth.Mtls;

/// <summary>
/// AUTH-4 when Bulwark terminates TLS: a client certificate signed by the configured CA is the
/// credential (<c>O</c> tenant, <c>CN</c> subject, <c>OU</c> roles); any other CA, or none, is not.
/// </summary>
public sealed class MtlsCertificateTests : IDisposable
{
    private readonly TestCertificates _pki = new("Bulwark");
    private readonly TestCertificates _otherPki = new("Impostor");

    private async Task<ServerFixture> StartAsync()
    {
        var (certificate, key) = _pki.IssueServer();
        var server = await ServerFixture.StartAsync(o =>
        {
            o.Urls = "https://127.0.0.1:0";
            o.AuthMode = "api_key,mtls";
            o.TlsCertificatePath = certificate;
            o.TlsCertificateKeyPath = key;
            o.MtlsClientCaPath = _pki.AuthorityPath;
        });
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        return server;
    }

    private HttpClient Client(ServerFixture server, X509Certificate2? certificate)
    {
        var handler = new HttpClientHandler
        {
            ClientCertificateOptions = ClientCertificateOption.Manual,
            // The test trusts exactly its own CA for the server, as a real client pins its own.
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(_pki.Authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return presented is not null && chain.Build(presented);
            },
        };
        if (certificate is not null)
        {
            handler.ClientCertificates.Add(certificate);
        }

        return new HttpClient(handler) { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    [Fact] // AUTH-4
    public async Task Client_certificate_authenticates_when_signed_by_the_configured_ca()
    {
        await using var server = await StartAsync();
        Assert.Equal("https", server.Http.BaseAddress!.Scheme);
        using var certificate = _pki.IssueClient("CN=alice,OU=writer,O=acme");
        using var http = Client(server, certificate);

        using var response = await http.GetAsync("/v1/whoami");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.OK == response.StatusCode, body);
        var me = JsonDocument.Parse(body).RootElement;
        Assert.Equal("acme", me.GetProperty("tenant").GetString());
        Assert.Equal("alice", me.GetProperty("subject").GetString());
        Assert.Equal("mtls", me.GetProperty("auth_method").GetString());
        Assert.Contains("jobs:write", me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact] // AUTH-4: the configured CA is the only root; the machine's store and other CAs count for nothing
    public async Task Client_certificate_is_refused_and_audited_when_signed_by_another_ca_or_absent()
    {
        await using var server = await StartAsync();
        var tenants = await RuntimeApiClient.CountAsync(server.Options.DatabasePath, "SELECT count(*) FROM tenants");
        using var forged = _otherPki.IssueClient("CN=alice,OU=admin,O=acme");
        using var forgedHttp = Client(server, forged);
        using var bareHttp = Client(server, null);

        using var withForged = await forgedHttp.GetAsync("/v1/whoami");
        using var without = await bareHttp.GetAsync("/v1/whoami");

        await Problem.AssertAsync(withForged, HttpStatusCode.Unauthorized, "unauthenticated");
        await Problem.AssertAsync(without, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(1, await RuntimeApiClient.CountAsync(server.Options.DatabasePath,
            "SELECT count(*) FROM audit_log WHERE action = 'auth.failure' AND json_extract(detail_json, '$.reason') LIKE 'untrusted_client_certificate%'"));
        Assert.Equal(tenants, await RuntimeApiClient.CountAsync(server.Options.DatabasePath, "SELECT count(*) FROM tenants"));
    }

    [Fact] // NET-4: an https address without a certificate is a setting to fix, named, before start
    public async Task Server_refuses_to_start_when_https_is_asked_for_without_a_certificate()
    {
        var e = await Assert.ThrowsAsync<Bulwark.Server.Hosting.BulwarkSettingsException>(() =>
            ServerFixture.StartAsync(o => o.Urls = "https://127.0.0.1:0"));
        Assert.Contains("BULWARK_TLS_CERTIFICATE_PATH", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _pki.Dispose();
        _otherPki.Dispose();
    }
}
