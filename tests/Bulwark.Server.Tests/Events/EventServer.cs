using Bulwark.Core.Audit;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Runtime;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Events;

/// <summary>What the event and trigger tests read straight from the server's store and database file.</summary>
internal static class EventServer
{
    public static async Task<TenantScope> ScopeAsync(ServerFixture server, string tenant) =>
        TenantScope.Of((await server.Store.FindTenantByNameAsync(tenant, CancellationToken.None))!);

    public static async Task<IReadOnlyList<AuditEntry>> AuditAsync(ServerFixture server, string tenant) =>
        await server.Store.ListAuditAsync(await ScopeAsync(server, tenant), 1000, CancellationToken.None);

    public static Task<long> CountAsync(ServerFixture server, string sql) =>
        RuntimeApiClient.CountAsync(server.Options.DatabasePath, sql);

    public static Task<long> EventRowsAsync(ServerFixture server) => CountAsync(server, "SELECT count(*) FROM events");

    public static Task<long> JobRowsAsync(ServerFixture server) => CountAsync(server, "SELECT count(*) FROM jobs");

    public static Task<long> TriggerRowsAsync(ServerFixture server) => CountAsync(server, "SELECT count(*) FROM triggers");

    /// <summary>A server with events and triggers on (FLAG-1: both off by default).</summary>
    public static Task<ServerFixture> StartAsync(bool events = true, bool triggers = true) =>
        ServerFixture.StartAsync(o =>
        {
            o.EventsEnabled = events;
            o.TriggersEnabled = triggers;
        });
}
