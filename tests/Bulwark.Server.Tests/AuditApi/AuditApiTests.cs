using System.Net;
using System.Text.Json;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.AuditApi;

/// <summary>
/// <c>GET /v1/audit</c> (AUD-1, RLS-22): scope <c>audit:read</c>, the caller's own tenant's entries
/// only, newest first with their chain fields, cursor-paginated; bad parameters are problem+json.
/// </summary>
public sealed class AuditApiTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Tenant_reads_only_its_own_entries_newest_first_page_by_page()
    {
        var acme = await _server.NewTenantKeyAsync("acme", Scopes.AuditRead);
        await _server.NewTenantKeyAsync("other", Scopes.AuditRead);
        // acme: tenant.create and key.create above, then two more keys.
        await _server.NewKeyAsync("acme", Scopes.JobsRead);
        await _server.NewKeyAsync("acme", Scopes.JobsRead);
        var acmeId = (await _server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!.Id;

        var first = await GetAsync(acme, "/v1/audit?limit=3");
        var second = await GetAsync(acme, "/v1/audit?limit=3&cursor=" + first.GetProperty("next_cursor").GetString());
        var keys = await GetAsync(acme, "/v1/audit?action=key.create");

        var entries = first.GetProperty("entries").EnumerateArray().Concat(second.GetProperty("entries").EnumerateArray()).ToList();
        Assert.Equal([4L, 3L, 2L, 1L], entries.Select(e => e.GetProperty("chain_seq").GetInt64()));
        Assert.All(entries, e => Assert.Equal(acmeId, e.GetProperty("chain").GetString()));
        Assert.All(entries, e => Assert.Equal(64, e.GetProperty("hash").GetString()!.Length));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
        Assert.Equal(3, keys.GetProperty("entries").GetArrayLength());
    }

    [Fact] // AUTHZ-1: audit:read is required
    public async Task Without_audit_read_the_answer_is_403()
    {
        var key = await _server.NewTenantKeyAsync("acme", Scopes.JobsRead);

        using var response = await _server.SendAsync(HttpMethod.Get, "/v1/audit", key);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory]
    [InlineData("/v1/audit?limit=0")]
    [InlineData("/v1/audit?limit=5000")]
    [InlineData("/v1/audit?cursor=abc")]
    [InlineData("/v1/audit?from=yesterday")]
    [InlineData("/v1/audit?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z")]
    public async Task Bad_parameters_are_problem_json_400(string path)
    {
        var key = await _server.NewTenantKeyAsync("acme", Scopes.AuditRead);

        using var response = await _server.SendAsync(HttpMethod.Get, path, key);

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_payload");
    }

    private async Task<JsonElement> GetAsync(string key, string path)
    {
        using var response = await _server.SendAsync(HttpMethod.Get, path, key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
