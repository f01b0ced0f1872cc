using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Hosting;
using Bulwark.Storage.Tests.Postgres;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.Triggers;

/// <summary>
/// Cron triggers fired by the scheduler (JOB-9) on a real server whose clock is driven: once per
/// occurrence, in the trigger's time zone, through daylight-saving changes, without a burst after
/// downtime, and exactly once when two schedulers race.
/// </summary>
public sealed class CronSchedulerTests
{
    // Saturday 28 March 2026, 07:00 UTC (08:00 in Paris, UTC+1); Paris moves to UTC+2 on Sunday 29 March at 01:00 UTC.
    private static readonly DateTimeOffset Start = new(2026, 3, 28, 7, 0, 0, TimeSpan.Zero);

    private const string Template = """
        key: ops.tick
        kind: script
        command: ["/bin/true"]
        inputs_schema: { type: object, properties: { depth: { type: integer } }, additionalProperties: false }
        """;

    private static object Cron(string cron, string timeZone = "UTC", bool catchUp = false) =>
        new { template = "ops.tick", cron, time_zone = timeZone, inputs = new { depth = 1 }, catch_up = catchUp };

    private static DateTimeOffset At(int day, int hour, int minute = 0) => new(2026, 3, day, hour, minute, 0, TimeSpan.Zero);

    private static string Key(string trigger, DateTimeOffset occurrence) => $"cron:{trigger}:{occurrence.ToUnixTimeMilliseconds()}";

    private static async Task<(ClockedServer Server, string Key)> StartAsync(bool triggers = true)
    {
        var server = await ClockedServer.StartAsync(Start, triggers);
        var key = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(Template);
        return (server, key);
    }

    [Fact] // JOB-9: each occurrence fires once, however many rounds see it
    public async Task Each_occurrence_fires_exactly_once()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        await server.PutTriggerAsync(key, "hourly", Cron("0 * * * *"));

        Assert.Empty(await server.RunAtAsync(At(28, 7, 59)));
        Assert.Equal([Key("hourly", At(28, 8))], await server.RunAtAsync(At(28, 8)));
        Assert.Equal([Key("hourly", At(28, 8))], await server.RunAtAsync(At(28, 8)));
        Assert.Equal([Key("hourly", At(28, 8))], await server.RunAtAsync(At(28, 8).AddSeconds(30)));
        // A round a few seconds late (the loop sleeps between rounds) still fires the occurrence.
        Assert.Equal([Key("hourly", At(28, 8)), Key("hourly", At(28, 9))], await server.RunAtAsync(At(28, 9).AddSeconds(4)));
        var job = (await server.Store.ListJobsAsync(await ScopeAsync(server), new Core.Jobs.JobQuery(null, null, 10, null), default)).Jobs[0];
        Assert.Equal("trigger:hourly", job.Actor);
        Assert.Equal("""{"depth":1}""", job.InputsJson);
        Assert.Equal(At(28, 10), (await server.TriggerAsync(key, "hourly")).GetProperty("next_fire_at").GetDateTimeOffset());
        var audit = await server.Store.ListAuditAsync(await ScopeAsync(server), 100, default);
        Assert.Equal(2, audit.Count(e => e.Action == "trigger.fire" && e.Outcome == "success" && e.Actor == "trigger:hourly"));
    }

    [Fact] // JOB-9: 09:00 in Paris is 08:00 UTC in winter; the UTC trigger waits for 09:00 UTC
    public async Task The_time_zone_decides_when_a_daily_trigger_fires()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        var paris = await server.PutTriggerAsync(key, "paris", Cron("0 9 * * *", "Europe/Paris"));
        var utc = await server.PutTriggerAsync(key, "utc", Cron("0 9 * * *"));

        Assert.Equal(At(28, 8), paris.GetProperty("next_fire_at").GetDateTimeOffset());
        Assert.Equal(At(28, 9), utc.GetProperty("next_fire_at").GetDateTimeOffset());
        Assert.Equal([Key("paris", At(28, 8))], await server.RunAtAsync(At(28, 8)));
        Assert.Equal([Key("paris", At(28, 8)), Key("utc", At(28, 9))], await server.RunAtAsync(At(28, 9)));
        // After the change to summer time, 09:00 in Paris is 07:00 UTC.
        Assert.Equal(At(29, 7), (await server.TriggerAsync(key, "paris")).GetProperty("next_fire_at").GetDateTimeOffset());
    }

    [Fact] // JOB-9: 02:30 does not exist in Paris on 29 March 2026; it fires once, just after the gap (03:00 local)
    public async Task An_occurrence_in_the_daylight_saving_gap_fires_once_after_the_gap()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        var trigger = await server.PutTriggerAsync(key, "night", Cron("30 2 * * *", "Europe/Paris"));

        Assert.Equal(At(29, 1), trigger.GetProperty("next_fire_at").GetDateTimeOffset());
        Assert.Equal([Key("night", At(29, 1))], await server.RunAtAsync(At(29, 1)));
        Assert.Equal([Key("night", At(29, 1))], await server.RunAtAsync(At(29, 1, 30)));
        // The next night is summer time: 02:30 local is 00:30 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 0, 30, 0, TimeSpan.Zero),
            (await server.TriggerAsync(key, "night")).GetProperty("next_fire_at").GetDateTimeOffset());
    }

    [Fact] // JOB-9: after downtime the missed occurrences are skipped (one audit entry with the count), no burst
    public async Task Missed_occurrences_are_skipped_not_fired_in_a_burst()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        await server.PutTriggerAsync(key, "hourly", Cron("0 * * * *"));

        // Down from 07:00 to 11:30: 08:00, 09:00, 10:00 and 11:00 were missed.
        Assert.Empty(await server.RunAtAsync(At(28, 11, 30)));

        Assert.Equal(At(28, 12), (await server.TriggerAsync(key, "hourly")).GetProperty("next_fire_at").GetDateTimeOffset());
        var skipped = Assert.Single(await server.Store.ListAuditAsync(await ScopeAsync(server), 100, default), e => e.Action == "trigger.skipped");
        using var detail = JsonDocument.Parse(skipped.DetailJson!);
        Assert.Equal(4, detail.RootElement.GetProperty("skipped").GetInt32());
        Assert.Equal([Key("hourly", At(28, 12))], await server.RunAtAsync(At(28, 12)));
    }

    [Fact] // JOB-9: with catch_up the most recent missed occurrence fires, once; the older ones are skipped
    public async Task Catch_up_fires_the_most_recent_missed_occurrence_once()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        await server.PutTriggerAsync(key, "hourly", Cron("0 * * * *", catchUp: true));

        Assert.Equal([Key("hourly", At(28, 11))], await server.RunAtAsync(At(28, 11, 30)));
        Assert.Equal([Key("hourly", At(28, 11))], await server.RunAtAsync(At(28, 11, 45)));

        var skipped = Assert.Single(await server.Store.ListAuditAsync(await ScopeAsync(server), 100, default), e => e.Action == "trigger.skipped");
        using var detail = JsonDocument.Parse(skipped.DetailJson!);
        Assert.Equal(3, detail.RootElement.GetProperty("skipped").GetInt32());
    }

    [Fact] // JOB-9: two schedulers (two nodes' worth) racing every round: one job per occurrence
    public async Task Two_schedulers_fire_each_occurrence_exactly_once()
    {
        var (server, key) = await StartAsync();
        await using var _ = server;
        await server.PutTriggerAsync(key, "minutely", Cron("* * * * *"));
        await server.PutTriggerAsync(key, "other", Cron("* * * * *"));
        var first = server.Scheduler;
        var second = server.NewScheduler();

        var expected = new List<string>();
        for (var minute = 1; minute <= 10; minute++)
        {
            var at = Start.AddMinutes(minute);
            server.Clock.SetUtcNow(at);
            await Task.WhenAll(
                Task.Run(() => first.RunOnceAsync(default)),
                Task.Run(() => second.RunOnceAsync(default)),
                Task.Run(() => second.RunOnceAsync(default)));
            expected.Add(Key("minutely", at));
            expected.Add(Key("other", at));
        }

        var fired = await server.FiredKeysAsync();
        Assert.Equal(expected.Order(), fired.Order());
    }

    [Fact] // JOB-9, TEN-2: two servers on one PostgreSQL database, clocks agreeing, racing every round: one job per occurrence
    public async Task Two_servers_on_one_postgres_database_fire_each_occurrence_exactly_once()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var clock = new FakeTimeProvider(Start);
        var auditKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        void OnPostgres(BulwarkOptions o)
        {
            o.Database = database.AppConnectionString;
            o.DatabaseOwner = database.OwnerConnectionString;
            o.AuditKey = auditKey;
        }

        await using var nodeA = await ClockedServer.StartAsync(clock, triggers: true, OnPostgres);
        await using var nodeB = await ClockedServer.StartAsync(clock, triggers: true, OnPostgres);
        var key = await nodeA.NewTenantKeyAsync("acme", "templates:admin", "jobs:read");
        await nodeA.ApplyTemplateAsync(Template);
        await nodeA.PutTriggerAsync(key, "minutely", Cron("* * * * *"));

        var expected = new List<string>();
        for (var minute = 1; minute <= 10; minute++)
        {
            var at = Start.AddMinutes(minute);
            clock.SetUtcNow(at);
            await Task.WhenAll(
                Task.Run(() => nodeA.Scheduler.RunOnceAsync(default)),
                Task.Run(() => nodeB.Scheduler.RunOnceAsync(default)));
            expected.Add(Key("minutely", at));
        }

        Assert.Equal(expected, await nodeB.FiredKeysAsync());
    }

    [Fact] // FLAG-1: with triggers off nothing fires
    public async Task With_triggers_off_nothing_fires()
    {
        var (server, key) = await StartAsync(triggers: false);
        await using var _ = server;
        await server.PutTriggerAsync(key, "hourly", Cron("0 * * * *"));

        Assert.Empty(await server.RunAtAsync(At(28, 8)));
        Assert.False((await server.TriggerAsync(key, "hourly")).GetProperty("active").GetBoolean());
    }

    private static async Task<TenantScope> ScopeAsync(ClockedServer server) =>
        TenantScope.Of((await server.Store.FindTenantByNameAsync("acme", default))!);
}
