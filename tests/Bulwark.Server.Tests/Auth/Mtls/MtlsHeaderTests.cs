using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Bulwark.Server.Tests.Runtime;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Auth.Mtls;

/// <summary>
/// AUTH-4 behind an ingress: the identity header is a credential only from a trusted proxy's own
/// TCP address; from anyone else it is ignored and recorded, and no forwarded header changes that.
/// </summary>
public sealed class MtlsHeaderTests
{
    private const string Header = "x-ssl-client-subject";
    private const string RolesHeader = "x-ssl-client-roles";

    private static Task<ServerFixture> StartAsync(string trustedProxies) => ServerFixture.StartAsync(o =>
    {
        o.AuthMode = "api_key,mtls";
        o.TrustedProxies = trustedProxies;
        o.MtlsRolesHeader = RolesHeader;
    });

    private static Task<HttpResponseMessage> WhoAmIAsync(ServerFixture server, string? subject, string? roles = null,
        string? apiKey = null, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/whoami");
        if (subject is not null)
        {
            request.Headers.TryAddWithoutValidation(Header, subject);
        }

        if (roles is not null)
        {
            request.Headers.TryAddWithoutValidation(RolesHeader, roles);
        }

        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
            request.Headers.TryAddWithoutValidation("X-Real-IP", forwardedFor);
            request.Headers.TryAddWithoutValidation("Forwarded", $"for={forwardedFor}");
        }

        return server.Http.SendAsync(request);
    }

    private static Task<long> AuditCountAsync(ServerFixture server, string action) =>
        RuntimeApiClient.CountAsync(server.Options.DatabasePath, "SELECT count(*) FROM audit_log WHERE action = @a", ("@a", action));

    private static Task<long> TenantCountAsync(ServerFixture server) =>
        RuntimeApiClient.CountAsync(server.Options.DatabasePath, "SELECT count(*) FROM tenants");

    [Theory] // AUTH-4
    [InlineData("CN=alice,O=acme")]
    [InlineData("/O=acme/CN=alice")]
    public async Task Identity_header_authenticates_when_sent_by_a_trusted_proxy(string subject)
    {
        await using var server = await StartAsync("127.0.0.1/32, ::1/128");
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);

        using var response = await WhoAmIAsync(server, subject, roles: "reader");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.OK == response.StatusCode, body);
        var me = JsonDocument.Parse(body).RootElement;
        Assert.Equal("acme", me.GetProperty("tenant").GetString());
        Assert.Equal("alice", me.GetProperty("subject").GetString());
        Assert.Equal("mtls", me.GetProperty("auth_method").GetString());
        Assert.Equal(["reader"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["jobs:read"], me.GetProperty("scopes").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(0, await AuditCountAsync(server, "auth.untrusted_identity_header"));
    }

    [Theory] // AUTH-4: from a peer outside the trusted proxies the header is a forgery, whatever else is forwarded
    [InlineData(null)]
    [InlineData("10.1.2.3")]
    public async Task Identity_header_is_ignored_and_recorded_when_the_peer_is_not_a_trusted_proxy(string? forwardedFor)
    {
        await using var server = await StartAsync("10.0.0.0/8, fd00::/8");
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);

        using var response = await WhoAmIAsync(server, "CN=alice,O=acme", roles: "admin", forwardedFor: forwardedFor);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(1, await AuditCountAsync(server, "auth.untrusted_identity_header"));
        var detail = await RuntimeApiClient.CountAsync(server.Options.DatabasePath,
            "SELECT count(*) FROM audit_log WHERE action = 'auth.untrusted_identity_header' AND outcome = 'ignored' "
            + "AND json_extract(detail_json, '$.remote') = '127.0.0.1' AND json_extract(detail_json, '$.claimed_subject') = 'CN=alice,O=acme' "
            + "AND json_extract(detail_json, '$.path') = '/v1/whoami'");
        Assert.Equal(1, detail);
    }

    [Fact] // AUTH-4: ignored means ignored: the caller's real credential still decides who it is
    public async Task Identity_header_from_an_untrusted_peer_does_not_override_the_callers_api_key()
    {
        await using var server = await StartAsync("10.0.0.0/8");
        await server.Operator.CreateTenantAsync("victim", CancellationToken.None);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read");

        using var response = await WhoAmIAsync(server, "CN=root,O=victim", roles: "admin", apiKey: key);

        var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("acme", "api_key"), (me.GetProperty("tenant").GetString(), me.GetProperty("auth_method").GetString()));
        Assert.Equal(1, await AuditCountAsync(server, "auth.untrusted_identity_header"));
    }

    [Theory] // AUTH-4: a trusted proxy's header must still name one existing tenant and one subject
    [InlineData("CN=alice")]
    [InlineData("CN=alice,O=acme,O=other")]
    [InlineData(@"CN=alice\,O=acme")]
    [InlineData("CN=alice,O=nobody")]
    [InlineData("CN=alice,O=suspended")]
    public async Task Identity_header_is_refused_and_creates_nothing_when_malformed_or_the_tenant_is_unknown(string subject)
    {
        await using var server = await StartAsync("127.0.0.1/32");
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        await server.Operator.CreateTenantAsync("suspended", CancellationToken.None);
        await SuspendAsync(server, "suspended");
        var tenants = await TenantCountAsync(server);
        var failures = await AuditCountAsync(server, "auth.failure");

        using var response = await WhoAmIAsync(server, subject, roles: "admin");

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(tenants, await TenantCountAsync(server));
        Assert.Equal(failures + 1, await AuditCountAsync(server, "auth.failure"));
    }

    [Fact] // AUTH-1: without mtls in BULWARK_AUTH_MODE the header is no credential at all
    public async Task Identity_header_is_no_credential_when_mtls_is_not_an_auth_mode()
    {
        await using var server = await ServerFixture.StartAsync(o => o.TrustedProxies = "127.0.0.1/32");
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);

        using var response = await WhoAmIAsync(server, "CN=alice,O=acme", roles: "admin");

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact] // AUTH-5 for mTLS: a revoked subject is refused like any revoked credential
    public async Task Identity_header_is_refused_when_its_subject_is_revoked()
    {
        await using var server = await StartAsync("127.0.0.1/32");
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        using (var before = await WhoAmIAsync(server, "CN=alice,O=acme", roles: "reader"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await server.Operator.RevokeSubjectAsync("alice", "acme", "left the company", CancellationToken.None);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await WhoAmIAsync(server, "CN=alice,O=acme", roles: "reader");
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the revocation did not hold within 10 s");
            await Task.Delay(200);
        }

        using var bob = await WhoAmIAsync(server, "CN=bob,O=acme", roles: "reader");
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
    }

    private static async Task SuspendAsync(ServerFixture server, string tenant)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={server.Options.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE tenants SET suspended = 1 WHERE name = @n";
        command.Parameters.AddWithValue("@n", tenant);
        await command.ExecuteNonQueryAsync();
    }
}
