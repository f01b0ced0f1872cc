using System.Net;
using System.Text.Json;
using Bulwark.Core.Identity;
using Bulwark.Core.Keys;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Cli;
using Bulwark.Server.Tests.Support;
using Bulwark.Storage.Sqlite;
using RevocationRecord = Bulwark.Core.Identity.Revocation;

namespace Bulwark.Server.Tests.Revocation;

/// <summary>AUTH-5 revocation and TEN-4 suspension over real HTTP, on this node and from "another node".</summary>
public sealed class RevocationApiTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static string KeyId(string plaintext) =>
        ApiKeys.TryParse(plaintext, out var id, out _) ? id : throw new ArgumentException("not a key", nameof(plaintext));

    private static async Task<HttpStatusCode> StatusAsync(ServerFixture server, string key)
    {
        using var response = await server.SendAsync(HttpMethod.Get, "/v1/jobs", key);
        return response.StatusCode;
    }

    /// <summary>Polls until the key gets 401; fails after 10 s. Only the outcome is asserted, never how long it took.</summary>
    private static async Task AssertRefusedWithinBoundAsync(ServerFixture server, string key)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await StatusAsync(server, key) != HttpStatusCode.Unauthorized)
        {
            Assert.True(DateTime.UtcNow < deadline, "the revocation did not hold within 10 s");
            await Task.Delay(100);
        }
    }

    private static async Task<TenantScope> ScopeAsync(ServerFixture server, string tenant) =>
        TenantScope.Of((await server.Store.FindTenantByNameAsync(tenant, Ct))!);

    [Fact]
    public async Task Key_gets_401_at_once_when_revoked_through_this_nodes_api_AUTH_5()
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "keys:admin");
        var victim = await server.NewKeyAsync("acme", "jobs:read");
        var other = await server.NewKeyAsync("acme", "jobs:read");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, victim));

        using var revoked = await server.SendAsync(HttpMethod.Post, "/v1/revocations", admin, new { key_id = KeyId(victim), reason = "leaked" });

        Assert.Equal(HttpStatusCode.Created, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, victim));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, other));
        var audit = await server.Store.ListAuditAsync(await ScopeAsync(server, "acme"), 100, Ct);
        Assert.Contains(audit, e => e.Action == "key.revoke" && e.Outcome == "success" && e.Target == "key:" + KeyId(victim));
        Assert.Contains(audit, e => e.Action == "auth.failure" && e.DetailJson!.Contains("revoked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Key_subject_gets_401_at_once_when_its_subject_is_revoked_through_the_api_AUTH_5()
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "keys:admin");
        var victim = await server.NewKeyAsync("acme", "jobs:read");

        using var revoked = await server.SendAsync(HttpMethod.Post, "/v1/revocations", admin, new { subject = "key:" + KeyId(victim) });

        Assert.Equal(HttpStatusCode.Created, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, victim));
    }

    [Fact]
    public async Task Key_gets_401_within_seconds_when_another_node_writes_the_revocation_AUTH_5()
    {
        await using var server = await ServerFixture.StartAsync();
        var victim = await server.NewTenantKeyAsync("acme", "jobs:read");
        var bystander = await server.NewKeyAsync("acme", "jobs:read");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, victim));
        var tenant = await ScopeAsync(server, "acme");

        // Another node: a second store on the same database file, writing only the revocation row
        // (the key row is untouched, so only the revocation cache can make this key fail).
        await using (var otherNode = new SqliteStore(server.Options.DatabasePath))
        {
            await otherNode.AddRevocationAsync(
                new RevocationRecord
                {
                    Id = RevocationRecord.NewId(TimeProvider.System),
                    Kind = RevocationKind.Key,
                    TenantId = tenant.TenantId,
                    Value = KeyId(victim),
                    CreatedAt = DateTimeOffset.UtcNow,
                    Actor = "operator",
                },
                Ct);
        }

        await AssertRefusedWithinBoundAsync(server, victim);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, bystander));
    }

    [Fact]
    public async Task Key_gets_401_on_the_first_request_after_a_restart_when_revoked_while_the_node_was_down_AUTH_5()
    {
        await using var server = await ServerFixture.StartAsync();
        var victim = await server.NewTenantKeyAsync("acme", "jobs:read");
        var tenant = await ScopeAsync(server, "acme");
        await server.Store.AddRevocationAsync(
            new RevocationRecord
            {
                Id = RevocationRecord.NewId(TimeProvider.System),
                Kind = RevocationKind.Subject,
                TenantId = tenant.TenantId,
                Value = "key:" + KeyId(victim),
                CreatedAt = DateTimeOffset.UtcNow,
                Actor = "operator",
            },
            Ct);

        await server.RestartAsync();

        // The first load happens before the node serves: no window with an empty revocation set.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, victim));
    }

    [Fact]
    public async Task Key_gets_401_within_seconds_when_the_cli_revokes_its_subject_AUTH_5_FLAG_4()
    {
        await using var server = await ServerFixture.StartAsync();
        var victim = await server.NewTenantKeyAsync("acme", "jobs:read");
        using var cli = new CliHarness();

        var run = await cli.RunAsync("tokens", "revoke", "--subject", "key:" + KeyId(victim), "--tenant", "acme", "--data", server.Options.DataDir);

        Assert.True(run.ExitCode == 0, run.ToString());
        await AssertRefusedWithinBoundAsync(server, victim);
    }

    [Fact]
    public async Task Suspended_tenants_keys_get_401_and_its_jobs_wait_until_resumed_TEN_4()
    {
        await using var server = await ServerFixture.StartAsync();
        var acme = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write", "demo:run");
        var globex = await server.NewTenantKeyAsync("globex", "jobs:read", "jobs:write", "demo:run");
        await server.ApplyTemplateAsync(TemplateFiles.Script("demo.ok", "echo ok", tenant: "acme"));
        await server.ApplyTemplateAsync(TemplateFiles.Script("demo.ok", "echo ok", tenant: "globex"));
        using var cli = new CliHarness();

        var suspended = await cli.RunAsync("tenants", "suspend", "acme", "--data", server.Options.DataDir);
        Assert.True(suspended.ExitCode == 0, suspended.ToString());
        await AssertRefusedWithinBoundAsync(server, acme);

        // A job of the suspended tenant already in the queue (enqueued straight into the store).
        var scope = await ScopeAsync(server, "acme");
        var template = (await server.Store.FindTemplateAsync(scope, "demo.ok", Ct))!;
        var now = DateTimeOffset.UtcNow;
        var queued = new Core.Jobs.NewJob
        {
            Id = Core.Jobs.JobIds.New(TimeProvider.System),
            Template = template,
            InputsJson = "{}",
            MaxAttempts = 1,
            Priority = 100,
            RunAt = now,
            CreatedAt = now,
            Actor = "test",
        };
        await server.Store.EnqueueAsync(scope, queued, new Core.Audit.AuditEntry
        {
            At = now, TenantId = scope.TenantId, Actor = "test", Action = "job.submit", Target = queued.Id, Outcome = "success",
        }, Ct);

        // Workers are claiming: another tenant's later, lower-priority job runs to the end...
        var other = await server.SubmitAsync(globex, new { template = "demo.ok" });
        await server.WaitForStateAsync(globex, other.GetProperty("id").GetString()!, "succeeded");
        // ...while the suspended tenant's job, due first, was never taken.
        Assert.Equal(Core.Jobs.JobState.Queued, (await server.Store.GetJobAsync(scope, queued.Id, Ct))!.State);

        var resumed = await cli.RunAsync("tenants", "resume", "acme", "--data", server.Options.DataDir);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await StatusAsync(server, acme) != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the tenant's key did not work again within 10 s of resume");
            await Task.Delay(100);
        }

        await server.WaitForStateAsync(acme, queued.Id, "succeeded");
        var audit = await server.Store.ListAuditAsync(scope, 200, Ct);
        Assert.Contains(audit, e => e.Action == "tenant.suspend" && e.Actor == "operator");
        Assert.Contains(audit, e => e.Action == "tenant.resume" && e.Actor == "operator");
    }

    [Fact]
    public async Task Revocations_endpoint_answers_404_and_revokes_nothing_when_the_key_is_another_tenants_TEN_1_AUTH_5()
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "keys:admin");
        var theirs = await server.NewTenantKeyAsync("globex", "jobs:read");

        using var byKey = await server.SendAsync(HttpMethod.Post, "/v1/revocations", admin, new { key_id = KeyId(theirs) });
        using var bySubject = await server.SendAsync(HttpMethod.Post, "/v1/revocations", admin, new { subject = "key:" + KeyId(theirs) });
        using var unknown = await server.SendAsync(HttpMethod.Post, "/v1/revocations", admin, new { key_id = "key_0000000000000000" });

        var a = await Problem.AssertAsync(byKey, HttpStatusCode.NotFound, "not_found");
        await Problem.AssertAsync(bySubject, HttpStatusCode.NotFound, "not_found");
        var c = await Problem.AssertAsync(unknown, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(c.GetProperty("detail").GetString(), a.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, theirs));
        Assert.Empty(await server.Store.ListRevocationsAsync(DateTimeOffset.UtcNow, Ct));
        var audit = await server.Store.ListAuditAsync(await ScopeAsync(server, "acme"), 100, Ct);
        Assert.Equal(3, audit.Count(e => e.Outcome == "denied" && e.DetailJson!.Contains("not_found", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Revocations_endpoint_records_a_jti_in_the_callers_tenant_AUTH_5()
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "keys:admin");

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/revocations", admin, new { jti = "tok-123" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("jti", body.GetProperty("kind").GetString());
        var stored = Assert.Single(await server.Store.ListRevocationsAsync(DateTimeOffset.UtcNow, Ct));
        Assert.Equal((await ScopeAsync(server, "acme")).TenantId, stored.TenantId);
        Assert.Equal("tok-123", stored.Value);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"jti":"a","subject":"b"}""")]
    [InlineData("""{"tenant":"x"}""")]
    [InlineData("""{"jti":""}""")]
    public async Task Revocations_endpoint_refuses_a_body_that_does_not_name_exactly_one_credential_AUTH_5(string body)
    {
        await using var server = await ServerFixture.StartAsync();
        var admin = await server.NewTenantKeyAsync("acme", "keys:admin");

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/revocations", admin, body);

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_payload");
        Assert.Empty(await server.Store.ListRevocationsAsync(DateTimeOffset.UtcNow, Ct));
    }

    [Fact]
    public async Task Revocations_endpoint_refuses_a_caller_without_keys_admin_AUTHZ_1()
    {
        await using var server = await ServerFixture.StartAsync();
        var reader = await server.NewTenantKeyAsync("acme", "jobs:read");

        using var response = await server.SendAsync(HttpMethod.Post, "/v1/revocations", reader, new { key_id = KeyId(reader) });

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, reader));
    }
}
