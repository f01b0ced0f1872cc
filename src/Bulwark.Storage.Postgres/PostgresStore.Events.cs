using Bulwark.Core.Audit;
using Bulwark.Core.Events;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Common;
using Bulwark.Storage.Postgres.Connections;
using Dapper;
using Npgsql;

namespace Bulwark.Storage.Postgres;

// JOB-10: the tenant's events, under the tenant wall; only retention crosses tenants (remove_expired_events).
public sealed partial class PostgresStore : IEventStore
{
    public Task AddEventAsync(TenantScope scope, TenantEvent tenantEvent, AuditEntry audit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(audit);
        var parameters = EventRow.From(scope.TenantId, tenantEvent);
        return InTenantAsync(
            scope.TenantId,
            async tx =>
            {
                await tx.Connection.ExecuteAsync(
                    $"INSERT INTO events ({EventRow.InsertColumns}) "
                    + "VALUES (@TenantId, @Id, @EventType, @TraceId, @PayloadJson, @Depth, @ReceivedAt, @Actor)",
                    parameters,
                    tx.Transaction);
                await AppendSealedAsync(tx, audit with { TenantId = scope.TenantId }, ct);
                return 0;
            },
            ct);
    }

    public Task<TenantEvent?> FindEventAsync(TenantScope scope, string eventId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InTenantAsync(
            scope.TenantId,
            async tx => (await tx.Connection.QuerySingleOrDefaultAsync<EventRow>(
                $"SELECT {EventRow.Columns} FROM events WHERE id = @eventId", new { eventId }, tx.Transaction))?.ToEvent(),
            ct);
    }
}
