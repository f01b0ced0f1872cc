using Bulwark.Core.Audit;
using Bulwark.Core.Events;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Common;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// JOB-10: the tenant's events. TEN-1: every statement filters by the scope's tenant.
public sealed partial class SqliteStore : IEventStore
{
    public Task AddEventAsync(TenantScope scope, TenantEvent tenantEvent, AuditEntry audit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(audit);
        var row = EventRow.From(scope.TenantId, tenantEvent);
        return WriteAsync(
            async (c, tx) =>
            {
                await c.Db.ExecuteAsync(
                    $"INSERT INTO events ({EventRow.InsertColumns}) "
                    + "VALUES (@TenantId, @Id, @EventType, @TraceId, @PayloadJson, @Depth, @ReceivedAt, @Actor)",
                    row,
                    tx);
                await AppendSealedAsync(c, tx, audit with { TenantId = scope.TenantId }, ct);
                return 0;
            },
            ct);
    }

    public Task<TenantEvent?> FindEventAsync(TenantScope scope, string eventId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ReadAsync(
            async c => (await c.Db.QuerySingleOrDefaultAsync<EventRow>(
                $"SELECT {EventRow.Columns} FROM events WHERE tenant_id = @TenantId AND id = @eventId",
                new { scope.TenantId, eventId }))?.ToEvent(),
            ct);
    }
}
