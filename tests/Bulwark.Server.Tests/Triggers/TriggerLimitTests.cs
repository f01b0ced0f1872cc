using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Triggers;
using Bulwark.Server.Triggers;

namespace Bulwark.Server.Tests.Triggers;

/// <summary>
/// JOB-9 with TEN-1: every node's scheduler serves all tenants, so one tenant may hold at most
/// <see cref="TriggerAdmin.MaxPerTenant"/> triggers, and a round keeps taking batches while they
/// come full, so a crowd of due triggers does not wait into its misfire grace.
/// </summary>
public sealed class TriggerLimitTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 28, 7, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Eight = new(2026, 3, 28, 8, 0, 0, TimeSpan.Zero);

    private const string Template = """
        key: ops.tick
        kind: script
        command: ["/bin/true"]
        """;

    private static async Task<TenantScope> SeedAsync(ClockedServer server, string tenant, int count)
    {
        var scope = TenantScope.Of((await server.Store.FindTenantByNameAsync(tenant, default))!);
        for (var i = 0; i < count; i++)
        {
            await ((ITriggerStore)server.Store).PutTriggerAsync(scope, new Trigger
            {
                TenantId = scope.TenantId,
                Name = $"hourly-{i}",
                Kind = TriggerKind.Cron,
                TemplateKey = "ops.tick",
                Cron = "0 * * * *",
                TimeZone = "UTC",
                InputsJson = "{}",
                NextFireAt = Eight,
                CreatedAt = Start,
                UpdatedAt = Start,
            }, default);
        }

        return scope;
    }

    [Fact] // JOB-9, TEN-1: the 101st trigger is refused and nothing is stored; replacing one at the cap still works
    public async Task A_tenant_at_the_cap_cannot_add_a_trigger_but_can_replace_one()
    {
        await using var server = await ClockedServer.StartAsync(Start);
        var key = await server.NewTenantKeyAsync("acme", "templates:admin", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(Template);
        var scope = await SeedAsync(server, "acme", TriggerAdmin.MaxPerTenant);
        var body = new { template = "ops.tick", cron = "0 * * * *", time_zone = "UTC", inputs = new { } };

        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/triggers/one-more") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var refused = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(TriggerAdmin.LimitCode, (await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString());
        var stored = await ((ITriggerStore)server.Store).ListTriggersAsync(scope, default);
        Assert.Equal(TriggerAdmin.MaxPerTenant, stored.Count);
        Assert.DoesNotContain(stored, t => t.Name == "one-more");
        Assert.DoesNotContain(await server.Store.ListAuditAsync(scope, 500, default), e => e.Target == "one-more");

        var replaced = await server.PutTriggerAsync(key, "hourly-0", body);
        Assert.Equal("hourly-0", replaced.GetProperty("name").GetString());
    }

    [Fact] // JOB-9: 240 triggers due at once (three tenants) all fire at once, past the batch of 100
    public async Task More_due_triggers_than_one_batch_all_fire_in_one_round()
    {
        // No local workers: the test counts the jobs the triggers start, it does not run them.
        await using var server = await ClockedServer.StartAsync(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start), true, o => o.LocalWorkers = false);
        string[] tenants = ["acme", "globex", "initech"];
        foreach (var tenant in tenants)
        {
            await server.NewTenantKeyAsync(tenant, "jobs:read");
        }

        await server.ApplyTemplateAsync(Template);
        foreach (var tenant in tenants)
        {
            await SeedAsync(server, tenant, 80);
        }

        // At most two rounds see this moment (the server's own loop wakes when the clock moves, and
        // this one): taking a single batch each, they could start no more than 200.
        await server.RunAtAsync(Eight);

        foreach (var tenant in tenants)
        {
            Assert.Equal(80, (await server.FiredKeysAsync(tenant)).Count);
        }
    }
}
