using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Payload;

/// <summary>
/// NET-2 at the HTTP edge: a body over the limit is 413 <c>payload_too_large</c> problem+json (not
/// Kestrel's bare answer), a body that is not JSON is 415 <c>unsupported_media_type</c>, a name or
/// id that is not an identifier is 400 — and none of them changes anything.
/// </summary>
public sealed class PayloadGuardTests : IAsyncLifetime
{
    private const string Template = """
        key: pg.echo
        kind: script
        command: ["/bin/true"]
        """;

    private ServerFixture _server = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _server = await ServerFixture.StartAsync(o =>
        {
            o.MaxBodyBytes = 64 * 1024;
            o.LocalWorkers = false;
        });
        await _server.ApplyTemplateAsync(Template);
        _key = await _server.NewTenantKeyAsync(
            "acme", Scopes.JobsWrite, Scopes.JobsRead, Scopes.TemplatesAdmin, Scopes.TokensIssue, Scopes.KeysAdmin, Scopes.AuditRead);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory] // NET-2: with and without a Content-Length the answer is the same problem+json
    [InlineData("POST", "/v1/jobs", false)]
    [InlineData("POST", "/v1/jobs", true)]
    [InlineData("PUT", "/v1/templates/pg.big", false)]
    [InlineData("PUT", "/v1/templates/pg.big", true)]
    [InlineData("POST", "/v1/policy-tokens", true)]
    public async Task A_body_over_the_limit_is_413_payload_too_large_and_stores_nothing(string method, string path, bool chunked)
    {
        var big = """{"template": "pg.echo", "inputs": {"x": """ + "\"" + new string('a', 128 * 1024) + "\"}}";
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = chunked
                ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)))
                : new StringContent(big, Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        request.Headers.Authorization = new("Bearer", _key);
        using var response = await _server.Http.SendAsync(request);

        await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await AssertNothingStoredAsync();
    }

    [Theory] // NET-2
    [InlineData("POST", "/v1/jobs", "text/plain")]
    [InlineData("POST", "/v1/jobs", "application/x-www-form-urlencoded")]
    [InlineData("POST", "/v1/jobs", null)]
    [InlineData("PUT", "/v1/templates/pg.other", "text/yaml")]
    [InlineData("POST", "/v1/policy-tokens", "text/plain")]
    [InlineData("POST", "/v1/api-keys", "multipart/form-data; boundary=x")]
    public async Task A_body_that_is_not_json_is_415_unsupported_media_type_and_stores_nothing(string method, string path, string? contentType)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new ByteArrayContent("""{"template": "pg.echo"}"""u8.ToArray()),
        };
        request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Authorization = new("Bearer", _key);
        using var response = await _server.Http.SendAsync(request);

        await Problem.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await AssertNothingStoredAsync();
    }

    [Theory] // NET-2: ids and names in the path match ^[a-zA-Z0-9_.:-]{1,100}$ (a NUL, a slash, spaces, '..' segments)
    [InlineData("GET", "/v1/jobs/a%00b")]
    [InlineData("GET", "/v1/jobs/%2e%2e%2fetc")]
    [InlineData("GET", "/v1/jobs/has%20space")]
    [InlineData("POST", "/v1/jobs/a%00b/cancel")]
    [InlineData("GET", "/v1/jobs/a%00b/logs")]
    [InlineData("PUT", "/v1/templates/a%00b")]
    [InlineData("PUT", "/v1/templates/..%2f..%2fetc")]
    [InlineData("DELETE", "/v1/templates/a%00b")]
    [InlineData("DELETE", "/v1/templates/..%2f..%2fetc")]
    [InlineData("DELETE", "/v1/api-keys/a%00b")]
    [InlineData("GET", "/v1/jobs?template=a%00b")]
    [InlineData("GET", "/v1/jobs?cursor=..%2f")]
    [InlineData("GET", "/v1/jobs?state=%00")]
    [InlineData("GET", "/v1/jobs?limit=abc")]
    [InlineData("GET", "/v1/audit?action=a%00b")]
    public async Task A_name_or_id_that_is_not_an_identifier_is_refused_with_problem_json(string method, string path)
    {
        using var response = await _server.SendAsync(new HttpMethod(method), path, _key,
            method is "PUT" ? """{"key": "x", "kind": "script", "command": ["/bin/true"]}""" : null);

        var status = (int)response.StatusCode;
        Assert.True(status is 400 or 404, $"{method} {path} answered {status}");
        // A NUL in the path never reaches the application: Kestrel refuses the request line itself (a bare 400).
        if (!path.Contains("%00", StringComparison.Ordinal) || response.Content.Headers.ContentLength > 0)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        await AssertNothingStoredAsync();
    }

    private async Task AssertNothingStoredAsync()
    {
        var tenant = await _server.Store.FindTenantByNameAsync("acme", CancellationToken.None);
        var scope = new TenantScope(tenant!.Id, tenant.Name);
        Assert.Empty((await _server.Store.ListJobsAsync(scope, new JobQuery(), CancellationToken.None)).Jobs);
        Assert.DoesNotContain(await _server.Store.ListTemplatesAsync(scope, CancellationToken.None), t => t.Key != "pg.echo");
    }
}
