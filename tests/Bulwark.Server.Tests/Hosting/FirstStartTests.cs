using System.Net;
using System.Text.Json;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Hosting;

/// <summary>OPS-1, OPS-2: the embedded default and its health endpoints.</summary>
public sealed class FirstStartTests
{
    [Fact]
    public async Task First_start_prints_one_admin_key_for_tenant_default_that_works()
    {
        await using var server = await ServerFixture.StartAsync();

        Assert.StartsWith("bwk_", server.AdminKey, StringComparison.Ordinal);
        Assert.Contains(server.AdminKey, server.Console.ToString(), StringComparison.Ordinal);
        using var response = await server.SendAsync(HttpMethod.Get, "/v1/whoami", server.AdminKey);
        var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("default", me.GetProperty("tenant").GetString());
        Assert.Equal(["*"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));

        // SEC-1 / AUTH-2: the key is stored only as a hash.
        await server.RestartAsync();
        Assert.Null(server.RestartBootstrapKey);
        var bytes = await File.ReadAllBytesAsync(server.Options.DatabasePath);
        var walPath = server.Options.DatabasePath + "-wal";
        var wal = File.Exists(walPath) ? await File.ReadAllBytesAsync(walPath) : [];
        var secret = System.Text.Encoding.UTF8.GetBytes(server.AdminKey[(server.AdminKey.LastIndexOf('_') + 1)..]);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(secret));
        Assert.Equal(-1, wal.AsSpan().IndexOf(secret));
    }

    [Fact] // AUD-1: the bootstrap credential is audited like every credential change, by id only
    public async Task First_start_records_the_bootstrap_in_the_default_tenants_audit_chain()
    {
        await using var server = await ServerFixture.StartAsync();

        var tenant = await server.Store.FindTenantByNameAsync("default", CancellationToken.None);
        var audit = await server.Store.ListAuditAsync(Core.Tenancy.TenantScope.Of(tenant!), 100, CancellationToken.None);
        var bootstrap = Assert.Single(audit, e => e.Action == "tenant.bootstrap");
        Assert.Equal("operator", bootstrap.Actor);
        var keyId = JsonDocument.Parse(bootstrap.DetailJson!).RootElement.GetProperty("key_id").GetString()!;
        Assert.StartsWith("bwk_" + keyId["key_".Length..] + "_", server.AdminKey, StringComparison.Ordinal);
        var secret = server.AdminKey[(server.AdminKey.LastIndexOf('_') + 1)..];
        Assert.DoesNotContain(secret, bootstrap.DetailJson!, StringComparison.Ordinal);

        // A restart of a bootstrapped store writes no second entry.
        await server.RestartAsync();
        var again = await server.Store.ListAuditAsync(Core.Tenancy.TenantScope.Of(tenant!), 100, CancellationToken.None);
        Assert.Single(again, e => e.Action == "tenant.bootstrap");
    }

    [Fact] // OPS-2: alive and ready (store reachable, sandbox usable)
    public async Task Health_and_readiness_answer_ok()
    {
        await using var server = await ServerFixture.StartAsync();

        using var health = await server.SendAsync(HttpMethod.Get, "/healthz", null);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ready = await server.SendAsync(HttpMethod.Get, "/readyz", null);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ok", body.GetProperty("store").GetString());
        Assert.True(body.GetProperty("sandbox").GetProperty("usable").GetBoolean());
        // BOX-2: which limit mechanism this host gave us is part of readiness.
        var limits = body.GetProperty("sandbox").GetProperty("limits").GetString()!;
        Assert.True(limits.StartsWith("cgroup v", StringComparison.Ordinal) || limits == "rlimits only", limits);
    }
}
