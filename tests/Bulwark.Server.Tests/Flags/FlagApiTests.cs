using System.Net;
using System.Text.Json;
using Bulwark.Core.Flags;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Flags;
using Bulwark.Server.Operations;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Flags;

/// <summary>FLAG-1, FLAG-2 through the API: defaults, the stricter of configuration and store, tenant values, the kill switch on a running server.</summary>
public sealed class FlagApiTests
{
    [Fact] // FLAG-1: seed 000's table: all off but payload validation and policy-token enforcement
    public async Task Defaults_are_all_off_except_the_two_guards()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", Scopes.FlagsRead);

        var flags = await FlagProbe.ListAsync(server, key);

        Assert.Equal(FeatureFlags.All.Select(f => f.Name).Order(StringComparer.Ordinal), flags.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["require_policy_tokens", "security_validation"],
            flags.Where(f => f.Value.GetProperty("enabled").GetBoolean()).Select(f => f.Key).Order(StringComparer.Ordinal));
        var events = flags["events"];
        Assert.False(events.GetProperty("configured").GetBoolean());
        Assert.Equal(JsonValueKind.Null, events.GetProperty("node").ValueKind);
        Assert.Equal(JsonValueKind.Null, events.GetProperty("tenant").ValueKind);
        Assert.Equal("BULWARK_EVENTS_ENABLED", events.GetProperty("setting").GetString());
        Assert.False(string.IsNullOrEmpty(events.GetProperty("description").GetString()));
    }

    [Fact] // FLAG-2: a feature off in the store is off, whatever configuration says, on the running node without a restart
    public async Task Store_off_beats_configuration_on_and_holds_on_the_running_node_within_the_refresh_period()
    {
        await using var server = await ServerFixture.StartAsync(o => o.EventsEnabled = true);
        var key = await server.NewTenantKeyAsync("acme", Scopes.FlagsRead);
        Assert.True((await FlagProbe.ListAsync(server, key))["events"].GetProperty("enabled").GetBoolean());

        // "Another node": a second handle on the same store, not this server's.
        await using (var other = await StoreFactory.OpenAsync(server.Options, CancellationToken.None))
        {
            await new FlagCommands(other, TimeProvider.System).SetAsync("events", false, tenantName: null, CancellationToken.None);
        }

        var events = await FlagProbe.WaitForEnabledAsync(server.Http, key, "events", false);
        Assert.True(events.GetProperty("configured").GetBoolean());
        Assert.False(events.GetProperty("node").GetBoolean());
    }

    [Fact] // FLAG-2: for a guard the stricter value is ON: the store cannot switch off what configuration enforces, and can enforce what it does not
    public async Task For_guards_the_store_can_only_turn_them_on()
    {
        await using var server = await ServerFixture.StartAsync(o => o.RequirePolicyTokens = false);
        var key = await server.NewTenantKeyAsync("acme", Scopes.FlagsRead);
        var operatorFlags = new FlagCommands(server.Store, TimeProvider.System);
        Assert.False((await FlagProbe.ListAsync(server, key))["require_policy_tokens"].GetProperty("enabled").GetBoolean());

        await operatorFlags.SetAsync("require_policy_tokens", true, tenantName: null, CancellationToken.None);
        await operatorFlags.SetAsync("security_validation", false, tenantName: null, CancellationToken.None);

        await FlagProbe.WaitForEnabledAsync(server.Http, key, "require_policy_tokens", true);
        var validation = (await FlagProbe.ListAsync(server, key))["security_validation"];
        Assert.False(validation.GetProperty("node").GetBoolean());
        Assert.True(validation.GetProperty("enabled").GetBoolean());
    }

    [Fact] // FLAG-1, FLAG-2, TEN-1: a tenant's own value restricts that tenant only; audited as flag.set
    public async Task Tenant_value_set_through_the_api_affects_only_that_tenant_and_is_audited()
    {
        await using var server = await ServerFixture.StartAsync(o => o.EventsEnabled = true);
        var acme = await server.NewTenantKeyAsync("acme", Scopes.FlagsRead, Scopes.FlagsAdmin);
        var globex = await server.NewTenantKeyAsync("globex", Scopes.FlagsRead);

        using var response = await server.SendAsync(HttpMethod.Put, "/v1/flags/events", acme, new { enabled = false });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = JsonDocument.Parse(body).RootElement;
        Assert.False(view.GetProperty("enabled").GetBoolean());
        Assert.False(view.GetProperty("tenant").GetBoolean());
        // This node follows its own change at once.
        Assert.False((await FlagProbe.ListAsync(server, acme))["events"].GetProperty("enabled").GetBoolean());
        var other = (await FlagProbe.ListAsync(server, globex))["events"];
        Assert.True(other.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, other.GetProperty("tenant").ValueKind);

        var entry = Assert.Single(await FlagProbe.AuditAsync(server.Store));
        Assert.Equal(("flag.set", "events", "success"), (entry.Action, entry.Target, entry.Outcome));
        Assert.Equal((await server.Store.FindTenantByNameAsync("acme", CancellationToken.None))!.Id, entry.TenantId);
        var detail = FlagProbe.Detail(entry);
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("old").ValueKind);
        Assert.Equal("off", detail.GetProperty("new").GetString());
        Assert.Equal("tenant:acme", detail.GetProperty("scope").GetString());
        // AUD-4: a flag change is a security event line on the server's output.
        Assert.Contains("\"event\":\"flag_set\"", server.Console.ToString(), StringComparison.Ordinal);
    }

    [Fact] // FLAG-2: a tenant may turn a feature off for itself, never on where the node keeps it off
    public async Task Tenant_value_on_cannot_turn_on_what_the_node_keeps_off()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", Scopes.FlagsRead, Scopes.FlagsAdmin);

        using var response = await server.SendAsync(HttpMethod.Put, "/v1/flags/action_jobs", key, new { enabled = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var flag = (await FlagProbe.ListAsync(server, key))["action_jobs"];
        Assert.True(flag.GetProperty("tenant").GetBoolean());
        Assert.False(flag.GetProperty("enabled").GetBoolean());
    }

    [Theory] // FLAG-1, AUD-1: the read trail is the operator's; a tenant admin can neither switch it off before reading data out, nor on
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_tenant_cannot_set_its_own_read_trail_and_nothing_is_written(bool enabled)
    {
        await using var server = await ServerFixture.StartAsync(o => o.AuditLoggingEnabled = true);
        var key = await server.NewTenantKeyAsync("acme", Scopes.FlagsRead, Scopes.FlagsAdmin);

        using var response = await server.SendAsync(HttpMethod.Put, "/v1/flags/audit_logging", key, new { enabled });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await ((IFlagStore)server.Store).ReadFlagsAsync(CancellationToken.None));
        Assert.Empty(await FlagProbe.AuditAsync(server.Store));
        Assert.True((await FlagProbe.ListAsync(server, key))["audit_logging"].GetProperty("enabled").GetBoolean());
    }

    [Fact] // AUTHZ-1, FLAG-2: without flags:admin a PUT is 403 and nothing is written
    public async Task Put_without_flags_admin_is_forbidden_and_writes_nothing()
    {
        await using var server = await ServerFixture.StartAsync(o => o.EventsEnabled = true);
        var key = await server.NewTenantKeyAsync("acme", Scopes.FlagsRead);

        using var response = await server.SendAsync(HttpMethod.Put, "/v1/flags/events", key, new { enabled = false });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await ((IFlagStore)server.Store).ReadFlagsAsync(CancellationToken.None));
        Assert.Empty(await FlagProbe.AuditAsync(server.Store));
        Assert.True((await FlagProbe.ListAsync(server, key))["events"].GetProperty("enabled").GetBoolean());
    }

    [Theory] // FLAG-1: an unknown name is 404 not_found and a bad body 400 invalid_payload; neither writes anything
    [InlineData("/v1/flags/bogus", "{\"enabled\":false}", HttpStatusCode.NotFound, "not_found")]
    [InlineData("/v1/flags/events", "{\"enabled\":\"no\"}", HttpStatusCode.BadRequest, "invalid_payload")]
    [InlineData("/v1/flags/events", "{}", HttpStatusCode.BadRequest, "invalid_payload")]
    [InlineData("/v1/flags/events", "{\"enabled\":false,\"tenant\":\"globex\"}", HttpStatusCode.BadRequest, "invalid_payload")]
    public async Task Bad_puts_are_refused_and_write_nothing(string path, string body, HttpStatusCode status, string code)
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", Scopes.FlagsRead, Scopes.FlagsAdmin);

        using var response = await server.SendAsync(HttpMethod.Put, path, key, body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
        Assert.Empty(await ((IFlagStore)server.Store).ReadFlagsAsync(CancellationToken.None));
        Assert.Empty(await FlagProbe.AuditAsync(server.Store));
    }

    [Fact] // FLAG-1, NET-2: security_validation off (development only) skips the template's inputs schema and nothing else
    public async Task With_security_validation_off_in_dev_the_inputs_schema_is_not_applied()
    {
        await using var server = await ServerFixture.StartAsync(o => o.SecurityValidationEnabled = false);
        var key = await server.NewTenantKeyAsync("acme", Scopes.JobsWrite, Scopes.JobsRead);
        await server.ApplyTemplateAsync(TemplateFiles.Echo);

        using var unvalidated = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, new { template = "demo.echo", inputs = new { unknown = 1 }, dry_run = true });
        using var notJson = await server.SendAsync(HttpMethod.Post, "/v1/jobs", key, new { template = "demo.echo", inputs = "not an object", dry_run = true });

        Assert.Equal(HttpStatusCode.OK, unvalidated.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Fact] // AUTHZ-1: reading the flags needs flags:read
    public async Task Get_without_flags_read_is_forbidden()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", Scopes.JobsRead);

        using var response = await server.SendAsync(HttpMethod.Get, "/v1/flags", key);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
