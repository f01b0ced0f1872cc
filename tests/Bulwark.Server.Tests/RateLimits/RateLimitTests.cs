using System.Net;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Hosting;
using Bulwark.Server.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.RateLimits;

/// <summary>
/// NET-3 through the real HTTP API on a fake clock: per trusted identity (tenant, subject), 429
/// <c>rate_limited</c> with an honest <c>Retry-After</c>, nothing done on a refusal, the refusal
/// audited (AUD-1) and written as a security line (AUD-4), bursts, the heavy budget.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private LimitedServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LimitedServer.StartAsync(_clock, o =>
        {
            o.RateLimitJobsPerMin = 3;
            o.RateLimitHeavyPerMin = 2;
        });
        await _server.Operator.ApplyTemplateAsync(LimitedServer.Template, Ct);
        _server.MoveToMinuteStart();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact] // NET-3, AUD-1, AUD-4
    public async Task Fourth_submission_in_a_minute_is_429_with_retry_after_stores_no_job_and_is_audited()
    {
        var key = await _server.NewTenantKeyAsync("acme", Scopes.JobsWrite, Scopes.JobsRead);
        for (var i = 0; i < 3; i++)
        {
            using var admitted = await _server.SubmitAsync(key);
            Assert.Equal(HttpStatusCode.Accepted, admitted.StatusCode);
        }

        using var refused = await _server.SubmitAsync(key);

        await Problem.AssertAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        var retryAfter = RetryAfterOf(refused);
        // A full window waits for the next one to begin (60 s) and one millisecond into it: 61 whole seconds.
        Assert.InRange(retryAfter, 1, 61);
        var acme = await TenantAsync("acme");
        Assert.Equal(3, (await _server.Store.ListJobsAsync(acme, new JobQuery(), Ct)).Jobs.Count);
        var subject = await SubjectOfAsync(key);
        var entry = Assert.Single(await AuditAsync(acme, "rate_limit.refused"));
        Assert.Equal((subject, "jobs", "denied"), (entry.Actor, entry.Target, entry.Outcome));
        using var detail = JsonDocument.Parse(entry.DetailJson!);
        Assert.Equal(3, detail.RootElement.GetProperty("limit").GetInt32());
        Assert.Contains("\"event\":\"rate_limit_refused\"", _server.Console.ToString(), StringComparison.Ordinal);
    }

    [Fact] // OPS-2: every refusal is counted on the "Bulwark" meter, per bucket
    public async Task A_refusal_is_counted_on_the_rate_limit_refusals_instrument()
    {
        var key = await _server.NewTenantKeyAsync("acme", Scopes.JobsRead);
        var heavyRefusals = 0L;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Bulwark" && instrument.Name == "bulwark.rate_limit.refusals")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "bucket", Value: "heavy" })
                {
                    Interlocked.Add(ref heavyRefusals, value);
                }
            }
        });
        listener.Start();

        for (var i = 0; i < 3; i++)
        {
            (await _server.SendAsync(HttpMethod.Get, "/v1/jobs", key)).Dispose();
        }

        // Other tests running at the same time may add their own refusals, never take any away.
        Assert.True(Interlocked.Read(ref heavyRefusals) >= 1);
    }

    [Fact] // NET-3: Retry-After is honest: one second early is still refused, on time is admitted
    public async Task After_retry_after_seconds_the_identity_is_admitted_again_and_not_a_second_earlier()
    {
        var key = await _server.NewTenantKeyAsync("acme", Scopes.JobsWrite);
        for (var i = 0; i < 3; i++)
        {
            (await _server.SubmitAsync(key)).Dispose();
        }

        _clock.Advance(TimeSpan.FromSeconds(20));
        using var refused = await _server.SubmitAsync(key);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = RetryAfterOf(refused);
        Assert.True(retryAfter > 1, $"Retry-After {retryAfter}");

        _clock.Advance(TimeSpan.FromSeconds(retryAfter - 1));
        using var early = await _server.SubmitAsync(key);
        Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);
        Assert.Equal(1, RetryAfterOf(early));

        _clock.Advance(TimeSpan.FromSeconds(1));
        using var onTime = await _server.SubmitAsync(key);
        Assert.Equal(HttpStatusCode.Accepted, onTime.StatusCode);
    }

    [Fact] // NET-3: per trusted identity: another key of the tenant and another tenant have their own budget
    public async Task A_limited_identity_does_not_limit_another_key_or_another_tenant()
    {
        var first = await _server.NewTenantKeyAsync("acme", Scopes.JobsWrite);
        var second = await _server.NewKeyAsync("acme", Scopes.JobsWrite);
        var other = await _server.NewTenantKeyAsync("other", Scopes.JobsWrite);
        for (var i = 0; i < 3; i++)
        {
            (await _server.SubmitAsync(first)).Dispose();
        }

        using var limited = await _server.SubmitAsync(first);
        using var sameTenant = await _server.SubmitAsync(second);
        using var otherTenant = await _server.SubmitAsync(other);

        Assert.Equal(
            [HttpStatusCode.TooManyRequests, HttpStatusCode.Accepted, HttpStatusCode.Accepted],
            [limited.StatusCode, sameTenant.StatusCode, otherTenant.StatusCode]);
    }

    [Fact] // NET-3: never per a header the client controls: a forwarded-for address changes nothing
    public async Task Forwarded_headers_do_not_open_a_new_budget()
    {
        var key = await _server.NewTenantKeyAsync("acme", Scopes.JobsWrite);
        for (var i = 0; i < 3; i++)
        {
            (await _server.SubmitAsync(key)).Dispose();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs")
        {
            Content = new StringContent("""{"template": "rl.echo", "inputs": {}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", key);
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Real-IP", "203.0.113.9");
        using var response = await _server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
    }

    [Fact] // NET-3: heavy reads (job list, audit page, log follow) share the heavy budget
    public async Task Heavy_reads_have_their_own_smaller_budget()
    {
        var key = await _server.NewTenantKeyAsync("acme", Scopes.JobsRead, Scopes.AuditRead, Scopes.JobsWrite);

        using var list = await _server.SendAsync(HttpMethod.Get, "/v1/jobs", key);
        using var audit = await _server.SendAsync(HttpMethod.Get, "/v1/audit", key);
        using var third = await _server.SendAsync(HttpMethod.Get, "/v1/jobs", key);
        using var submit = await _server.SubmitAsync(key);

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.Accepted],
            [list.StatusCode, audit.StatusCode, third.StatusCode, submit.StatusCode]);
        await Problem.AssertAsync(third, HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact] // NET-3: a refused caller who is not authenticated never reaches the limiter (it is 401, and costs no budget)
    public async Task An_unauthenticated_request_is_401_not_429_and_spends_nothing()
    {
        var key = await _server.NewTenantKeyAsync("acme", Scopes.JobsWrite);
        for (var i = 0; i < 5; i++)
        {
            using var anonymous = await _server.SendAsync(HttpMethod.Post, "/v1/jobs", "bwk_not_a_key", """{"template": "rl.echo"}""");
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var admitted = await _server.SubmitAsync(key);
        Assert.Equal(HttpStatusCode.Accepted, admitted.StatusCode);
    }

    private static long RetryAfterOf(HttpResponseMessage response)
    {
        var values = response.Headers.GetValues("Retry-After").ToList();
        var value = Assert.Single(values);
        Assert.True(long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds), value);
        return seconds;
    }

    private async Task<TenantScope> TenantAsync(string name)
    {
        var tenant = await _server.Store.FindTenantByNameAsync(name, Ct);
        return new TenantScope(tenant!.Id, tenant.Name);
    }

    private async Task<string> SubjectOfAsync(string key)
    {
        using var response = await _server.SendAsync(HttpMethod.Get, "/v1/whoami", key);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("subject").GetString()!;
    }

    private async Task<List<AuditEntry>> AuditAsync(TenantScope tenant, string action) =>
        (await _server.Store.QueryAuditAsync(tenant, new AuditQuery { Action = action }, Ct)).Select(e => e.Entry).ToList();
}

/// <summary>NET-3 bursts: BULWARK_RATE_LIMIT_BURST minutes of allowance may be spent at once.</summary>
public sealed class RateLimitBurstTests
{
    [Fact] // NET-3
    public async Task With_burst_2_a_quiet_identity_spends_two_minutes_of_allowance_at_once_then_waits()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await LimitedServer.StartAsync(clock, o =>
        {
            o.RateLimitJobsPerMin = 3;
            o.RateLimitBurst = 2;
        });
        await server.Operator.ApplyTemplateAsync(LimitedServer.Template, CancellationToken.None);
        var key = await server.NewTenantKeyAsync("acme", Scopes.JobsWrite);
        server.MoveToMinuteStart();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await server.SubmitAsync(key);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(6, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Theory] // NET-3: a limit of 0 (or a burst of 0) would be an outage, not a limit; refused at start
    [InlineData("BULWARK_RATE_LIMIT_JOBS_PER_MIN", "0")]
    [InlineData("BULWARK_RATE_LIMIT_EVENTS_PER_MIN", "-1")]
    [InlineData("BULWARK_RATE_LIMIT_HEAVY_PER_MIN", "0")]
    [InlineData("BULWARK_RATE_LIMIT_BURST", "0")]
    [InlineData("BULWARK_RATE_LIMIT_BURST", "61")]
    public void Bad_limits_are_refused_naming_the_setting(string name, string value)
    {
        var error = Assert.Throws<BulwarkSettingsException>(() =>
            BulwarkConfiguration.Load(new Dictionary<string, string?> { [name] = value }));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact] // OPS-3: the settings of API.md bind from the environment
    public void Limits_bind_from_the_environment()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_RATE_LIMIT_JOBS_PER_MIN"] = "7",
            ["BULWARK_RATE_LIMIT_EVENTS_PER_MIN"] = "8",
            ["BULWARK_RATE_LIMIT_HEAVY_PER_MIN"] = "9",
            ["BULWARK_RATE_LIMIT_BURST"] = "2",
        });

        Assert.Equal((7, 8, 9, 2), (options.RateLimitJobsPerMin, options.RateLimitEventsPerMin, options.RateLimitHeavyPerMin, options.RateLimitBurst));
    }
}
