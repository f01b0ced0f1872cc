using System.Net.Http.Headers;
using System.Text;
using Bulwark.Server.Tests.RateLimits;
using Bulwark.Server.Tests.Secrets;
using Bulwark.Server.Tests.Support;
using Bulwark.Storage.Tests.Postgres;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.Payload;

/// <summary>
/// NET-2 as a property, against real running servers on both stores: whatever body, name, id or
/// query a caller sends to a route that reads one, the answer is 2xx or 4xx — never 5xx — and the
/// server logs no unhandled exception. The iteration count per route is bounded so the class stays quick.
/// </summary>
public sealed class PayloadPropertyTests
{
    private const int Iterations = 80;

    private const int MaxBodyBytes = 256 * 1024;

    private const string Template = """
        key: pg.echo
        kind: script
        command: ["/bin/true"]
        """;

    // Hands the run's capability token to the test through its own runtime log (base64, so the
    // log redactor leaves it), then stays running while the runtime routes are tried with it.
    private static readonly string Holder = TemplateFiles.Script("pg.holder", """
        t=$(printf '%s' "$BULWARK_TASK_TOKEN" | base64 -w0)
        curl -sS --unix-socket "$BULWARK_RUNTIME_SOCKET" -X POST -H "Authorization: Bearer $BULWARK_TASK_TOKEN" -H 'Content-Type: application/json' "http://runtime/runtime/v1/log" --data "{\"message\":\"token64=$t\"}"
        i=0; while [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
        """, timeoutSeconds: 150);

    private static readonly Gen<(byte[] Body, string Segment, string Query)> Request =
        Gen.Select(HostileInput.Body, HostileInput.Segment, HostileInput.Query);

    /// <summary>Every user-API route that reads a body, a name, an id or a query (API.md).</summary>
    private static readonly (string Method, Func<string, string, string> Path, bool Body)[] UserRoutes =
    [
        ("POST", (_, _) => "/v1/jobs", true),
        ("PUT", (s, _) => "/v1/templates/" + s, true),
        ("DELETE", (s, _) => "/v1/templates/" + s, false),
        ("POST", (_, _) => "/v1/policy-tokens", true),
        ("POST", (_, _) => "/v1/api-keys", true),
        ("POST", (_, _) => "/v1/revocations", true),
        ("GET", (_, q) => "/v1/jobs?" + q, false),
        ("GET", (_, q) => "/v1/audit?" + q, false),
        ("GET", (s, _) => "/v1/jobs/" + s, false),
        ("POST", (s, _) => "/v1/jobs/" + s + "/cancel", false),
        ("GET", (s, q) => "/v1/jobs/" + s + "/logs?" + q, false),
        ("DELETE", (s, _) => "/v1/api-keys/" + s, false),
        ("POST", (_, _) => "/v1/events", true),
        ("PUT", (s, _) => "/v1/triggers/" + s, true),
        ("DELETE", (s, _) => "/v1/triggers/" + s, false),
        ("GET", (s, _) => "/v1/jobs/" + s + "/manifest", false),
        // Last: a flag it turns off only makes later answers 403.
        ("PUT", (s, _) => "/v1/flags/" + s, true),
    ];

    /// <summary>The runtime API's routes that read a body or a name (API.md), called with a live run's token.</summary>
    private static readonly (string Method, Func<string, string, string> Path, bool Body)[] RuntimeRoutes =
    [
        ("PUT", (s, _) => "/runtime/v1/variables/" + s, true),
        ("GET", (s, _) => "/runtime/v1/variables/" + s, false),
        ("POST", (_, _) => "/runtime/v1/log", true),
        ("PUT", (_, _) => "/runtime/v1/result", true),
        ("POST", (s, _) => "/runtime/v1/locks/" + s, true),
        ("DELETE", (s, _) => "/runtime/v1/locks/" + s, false),
        ("POST", (_, _) => "/runtime/v1/heartbeat", true),
        ("POST", (_, _) => "/runtime/v1/events", true),
        ("POST", (_, _) => "/runtime/v1/http", true),
    ];

    [Fact] // NET-2 on the embedded store: the user API and the runtime API of a live run
    public async Task Hostile_requests_on_sqlite_are_answered_2xx_or_4xx_and_log_no_unhandled_error()
    {
        var log = new CapturedLog();
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.AdditionalLogProvider = log;
            o.MaxBodyBytes = MaxBodyBytes;
            o.PolicyTokenSecret = new string('p', 40);
            o.EventsEnabled = true;
            o.TriggersEnabled = true;
            o.ManifestsEnabled = true;
            o.RateLimitJobsPerMin = 1_000_000;
            o.RateLimitHeavyPerMin = 1_000_000;
        });
        await server.ApplyTemplateAsync(Template);
        await server.ApplyTemplateAsync(Holder);
        var key = await server.NewTenantKeyAsync("acme", "*");

        // The runtime routes first, while the holder is the only job (the user routes then queue many).
        var holder = (await server.SubmitAsync(key, new { template = "pg.holder" })).GetProperty("id").GetString()!;
        var token = await RunTokenAsync(server, key, holder);
        await FuzzAsync(server.Http, token, RuntimeRoutes, log);
        (await server.SendAsync(HttpMethod.Post, $"/v1/jobs/{holder}/cancel", key)).Dispose();

        await FuzzAsync(server.Http, key, UserRoutes, log);

        Assert.DoesNotContain("Unhandled error", log.Text, StringComparison.Ordinal);
    }

    [Fact] // NET-2 on PostgreSQL, which refuses text SQLite would store (a NUL, for one)
    public async Task Hostile_requests_on_postgres_are_answered_2xx_or_4xx_and_log_no_unhandled_error()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var log = new CapturedLog();
        await using var server = await LimitedServer.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow), o =>
        {
            o.Database = database.AppConnectionString;
            o.DatabaseOwner = database.OwnerConnectionString;
            o.AuditKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            o.AdditionalLogProvider = log;
            o.MaxBodyBytes = MaxBodyBytes;
            o.PolicyTokenSecret = new string('p', 40);
            o.EventsEnabled = true;
            o.TriggersEnabled = true;
            o.ManifestsEnabled = true;
            o.RateLimitJobsPerMin = 1_000_000;
            o.RateLimitHeavyPerMin = 1_000_000;
        });
        await server.Operator.ApplyTemplateAsync(Template, CancellationToken.None);
        var key = await server.NewTenantKeyAsync("acme", "*");

        await FuzzAsync(server.Http, key, UserRoutes, log);

        Assert.DoesNotContain("Unhandled error", log.Text, StringComparison.Ordinal);
    }

    private static async Task FuzzAsync(
        HttpClient http, string credential, (string Method, Func<string, string, string> Path, bool Body)[] routes, CapturedLog log)
    {
        foreach (var (method, path, hasBody) in routes)
        {
            await Request.SampleAsync(
                async r =>
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), path(r.Segment, r.Query));
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
                    if (hasBody)
                    {
                        request.Content = new ByteArrayContent(r.Body);
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        // The server may close a connection it refused mid-upload: keep it out of the pool.
                        request.Headers.ConnectionClose = r.Body.Length > MaxBodyBytes;
                    }

                    HttpResponseMessage response;
                    try
                    {
                        response = await http.SendAsync(request);
                    }
                    catch (HttpRequestException) when (hasBody && r.Body.Length > MaxBodyBytes)
                    {
                        // Over the limit the server answers 413 and closes the connection while the
                        // client may still be sending (PayloadGuardTests reads that 413 whole).
                        return;
                    }

                    using (response)
                    {
                        var status = (int)response.StatusCode;
                        Assert.True(status is >= 200 and < 500, $"{method} {request.RequestUri} answered {status}: {await response.Content.ReadAsStringAsync()}\n{Tail(log.Text)}");
                    }
                },
                iter: Iterations,
                threads: 1,
                print: r => $"{method} {path(r.Segment, r.Query)} body({r.Body.Length} bytes)={Shown(r.Body)}");
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    private static string Shown(byte[] body) =>
        body.Length <= 300 ? Convert.ToHexString(body) : Convert.ToHexString(body.AsSpan(0, 300)) + "…";

    private static async Task<string> RunTokenAsync(ServerFixture server, string key, string jobId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var logs = await server.LogsAsync(key, jobId);
            var at = logs.IndexOf("token64=", StringComparison.Ordinal);
            if (at >= 0 && logs.IndexOf('\n', at) is var end and > 0)
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(logs[(at + "token64=".Length)..end]));
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The holder job never printed its token: {await server.GetJobAsync(key, jobId)}");
        return "";
    }
}
