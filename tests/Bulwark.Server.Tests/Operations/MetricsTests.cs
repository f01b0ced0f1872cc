using System.Globalization;
using System.Net;
using Bulwark.Server.Hosting;
using Bulwark.Server.Tests.Runtime;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Operations;

/// <summary>
/// OPS-2 through real servers: <c>GET /metrics</c> answers Prometheus text without credentials,
/// counts this server's auth failures, rate-limit refusals and runs, samples the queue depth, and
/// never names a tenant or a key (TEN-1).
/// </summary>
public sealed class MetricsTests
{
    private static readonly string[] MetricNames =
    [
        "bulwark_rate_limit_refusals_total",
        "bulwark_auth_failures_total",
        "bulwark_job_runs_total",
        "bulwark_job_failures_total",
        "bulwark_job_run_duration_seconds",
        "bulwark_queue_depth",
    ];

    [Theory] // OPS-2: the sample interval is 1 to 3600 seconds
    [InlineData("0")]
    [InlineData("3601")]
    public void A_sample_interval_outside_1_to_3600_seconds_is_refused(string seconds)
    {
        var e = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_METRICS_SAMPLE_SECONDS"] = seconds,
        }));

        Assert.Contains("BULWARK_METRICS_SAMPLE_SECONDS", e.Message, StringComparison.Ordinal);
    }

    [Fact] // OPS-2: default 15 seconds
    public void The_sample_interval_defaults_to_15_seconds() =>
        Assert.Equal(15, BulwarkConfiguration.Load(new Dictionary<string, string?>()).MetricsSampleSeconds);

    [Fact] // OPS-2, NET-4: unauthenticated like /healthz, Prometheus text, the security headers still set
    public async Task Metrics_answers_prometheus_text_without_credentials_with_the_security_headers()
    {
        await using var server = await ServerFixture.StartAsync(o => o.MetricsSampleSeconds = 1);

        var (response, text) = await ScrapeAsync(server);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        // Scrapes are told apart by service: this one says it is Bulwark.
        Assert.Contains("service_name=\"bulwark\"", text, StringComparison.Ordinal);
        // The gauge is there from the first sample, with every state, before any job exists.
        text = await ScrapeUntilAsync(server, t => Sum(t, "bulwark_queue_depth", ("state", "running")) is not null);
        foreach (var state in new[] { "queued", "scheduled", "retrying", "running" })
        {
            Assert.Equal(0, Sum(text, "bulwark_queue_depth", ("state", state)));
        }
    }

    [Fact] // OPS-2, BOX-3: job code cannot read the node's metrics through its runtime socket
    public async Task Metrics_is_not_served_on_the_runtime_socket()
    {
        await using var server = await ServerFixture.StartAsync();
        using var socket = RuntimeApiClient.OverSocket(server.Options.RuntimeSocketPath);

        using var response = await RuntimeApiClient.SendAsync(socket, HttpMethod.Get, "/metrics", null);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact] // OPS-2, NET-3, AUD-1, TEN-1: what happened on this server is in its scrape; no tenant, no key id
    public async Task Auth_failures_refusals_runs_and_queue_depth_are_counted_without_tenants_or_key_ids()
    {
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.MetricsSampleSeconds = 1;
            o.RateLimitJobsPerMin = 2;
        });
        const string tenant = "metrics-tenant-7f3a";
        await server.Operator.CreateTenantAsync(tenant, CancellationToken.None);
        var (record, key) = await server.Operator.CreateKeyAsync(tenant, ["jobs:read", "jobs:write"], null, null, CancellationToken.None);
        var tenantId = (await server.Store.FindTenantByNameAsync(tenant, CancellationToken.None))!.Id;
        await server.ApplyTemplateAsync(TemplateFiles.Script("metrics.true", "/bin/true"));
        var before = (await ScrapeAsync(server)).Text;

        // One 401: the right key id with a wrong secret.
        var wrongSecret = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        using (var refused = await server.SendAsync(HttpMethod.Get, "/v1/jobs/none", wrongSecret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // One finished script job under bubblewrap.
        var id = (await server.SubmitAsync(key, new { template = "metrics.true" })).GetProperty("id").GetString()!;
        Assert.Equal("succeeded", (await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead")).GetProperty("state").GetString());

        // A job due in an hour: the gauge sees it as scheduled.
        var later = DateTimeOffset.UtcNow.AddHours(1).ToString("O", CultureInfo.InvariantCulture);
        await server.SubmitAsync(key, new { template = "metrics.true", run_at = later });

        // Then the jobs budget (2 a minute) runs out: 429.
        var got429 = false;
        for (var i = 0; i < 5 && !got429; i++)
        {
            using var response = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, new { template = "metrics.true", run_at = later });
            got429 = response.StatusCode == HttpStatusCode.TooManyRequests;
        }

        Assert.True(got429, "the jobs bucket never refused");

        var text = await ScrapeUntilAsync(server, t =>
            Delta(before, t, "bulwark_job_runs_total", ("kind", "script"), ("outcome", "succeeded")) >= 1
            && Sum(t, "bulwark_queue_depth", ("state", "scheduled")) >= 1);

        Assert.True(Delta(before, text, "bulwark_auth_failures_total", ("reason", "wrong_api_key_secret")) >= 1, text);
        Assert.True(Delta(before, text, "bulwark_rate_limit_refusals_total", ("bucket", "jobs")) >= 1, text);
        Assert.True(Delta(before, text, "bulwark_job_runs_total", ("kind", "script"), ("outcome", "succeeded")) >= 1, text);
        Assert.True(
            Delta(before, text, "bulwark_job_run_duration_seconds_count", ("kind", "script"), ("outcome", "succeeded")) >= 1, text);
        Assert.True(Sum(text, "bulwark_job_run_duration_seconds_sum", ("kind", "script"), ("outcome", "succeeded")) > 0, text);
        Assert.True(Sum(text, "bulwark_queue_depth", ("state", "scheduled")) >= 1, text);
        foreach (var name in MetricNames.Where(n => n != "bulwark_job_failures_total"))
        {
            Assert.Contains("# TYPE " + name, text, StringComparison.Ordinal);
        }

        // TEN-1: nothing in the scrape names the tenant or the credential.
        Assert.DoesNotContain(tenant, text, StringComparison.Ordinal);
        Assert.DoesNotContain(tenantId, text, StringComparison.Ordinal);
        Assert.DoesNotContain(record.Id, text, StringComparison.Ordinal);
        Assert.DoesNotContain(record.Id["key_".Length..], text, StringComparison.Ordinal);
        Assert.DoesNotContain(id, text, StringComparison.Ordinal);
    }

    [Fact] // OPS-2: a failed attempt is counted with its error code
    public async Task A_failed_run_is_counted_with_its_kind_and_error_code()
    {
        await using var server = await ServerFixture.StartAsync(o => o.MetricsSampleSeconds = 1);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("metrics.fails", "exit 3"));

        var id = (await server.SubmitAsync(key, new { template = "metrics.fails" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, id, "dead", "failed", "succeeded");

        var text = await ScrapeUntilAsync(server, t => Sum(t, "bulwark_job_failures_total", ("kind", "script"), ("error_code", "exit_code")) >= 1);
        var failedRuns = (Sum(text, "bulwark_job_runs_total", ("kind", "script"), ("outcome", "retryable_failure")) ?? 0)
            + (Sum(text, "bulwark_job_runs_total", ("kind", "script"), ("outcome", "permanent_failure")) ?? 0);
        Assert.True(failedRuns >= 1, text);
        Assert.Null(Sum(text, "bulwark_job_runs_total", ("outcome", "succeeded")));
    }

    [Fact] // OPS-2: each server has its own meter, so a scrape shows that server's work only
    public async Task A_server_scrape_does_not_count_another_servers_events()
    {
        await using var first = await ServerFixture.StartAsync();
        await using var second = await ServerFixture.StartAsync();

        using (var refused = await first.SendAsync(HttpMethod.Get, "/v1/jobs", "bwk_malformed"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var firstText = await ScrapeUntilAsync(first, t => Sum(t, "bulwark_auth_failures_total", ("reason", "malformed_api_key")) >= 1);
        Assert.Equal(1, Sum(firstText, "bulwark_auth_failures_total", ("reason", "malformed_api_key")));
        Assert.Null(Sum((await ScrapeAsync(second)).Text, "bulwark_auth_failures_total", ("reason", "malformed_api_key")));
    }

    private static async Task<(HttpResponseMessage Response, string Text)> ScrapeAsync(ServerFixture server)
    {
        // No credentials: /metrics is an operations endpoint like /healthz.
        var response = await server.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes until <paramref name="done"/> holds (the exporter caches a scrape briefly; samples lag).</summary>
    private static async Task<string> ScrapeUntilAsync(ServerFixture server, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string text;
        do
        {
            using var response = await server.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
            if (done(text))
            {
                return text;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail("the scrape never showed what was expected:\n" + text);
        return text;
    }

    private static double Delta(string before, string after, string name, params (string Key, string Value)[] labels) =>
        (Sum(after, name, labels) ?? 0) - (Sum(before, name, labels) ?? 0);

    /// <summary>The sum of the samples named <paramref name="name"/> carrying every label given; null when none.</summary>
    private static double? Sum(string text, string name, params (string Key, string Value)[] labels)
    {
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length
                || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }

            var labelEnd = line.IndexOf('}', StringComparison.Ordinal);
            var labelText = labelEnd < 0 ? "" : line[name.Length..(labelEnd + 1)];
            if (!labels.All(l => labelText.Contains($"{l.Key}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                continue;
            }

            var value = line[(labelEnd < 0 ? name.Length : labelEnd + 1)..].Trim().Split(' ')[0];
            sum = (sum ?? 0) + double.Parse(value, CultureInfo.InvariantCulture);
        }

        return sum;
    }
}
