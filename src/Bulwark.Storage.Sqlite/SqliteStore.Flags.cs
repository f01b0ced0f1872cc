using Bulwark.Core.Flags;
using Bulwark.Storage.Common;
using Dapper;

namespace Bulwark.Storage.Sqlite;

// FLAG-2: flag values, node-wide (no tenant) and per tenant, read whole by every node's flag state.
// Cross-tenant by design, like revocations: the server's flag state needs every tenant's values.
public sealed partial class SqliteStore : IFlagStore
{
    public Task<IReadOnlyList<StoredFlag>> ReadFlagsAsync(CancellationToken ct) =>
        ReadAsync(
            async c =>
            {
                var rows = await c.Db.QueryAsync<FlagRow>($"SELECT {FlagRow.Columns} FROM flags ORDER BY tenant_id, name");
                return (IReadOnlyList<StoredFlag>)rows.Select(r => r.ToRecord()).ToList();
            },
            ct);

    public Task<bool?> SetFlagAsync(StoredFlag flag, CancellationToken ct)
    {
        var row = FlagRow.From(flag);
        // The one writer of the file holds its lock for the whole transaction, so read-then-replace is atomic.
        return WriteAsync(
            async (c, tx) =>
            {
                var old = await c.Db.ExecuteScalarAsync<long?>(
                    "SELECT enabled FROM flags WHERE tenant_id IS @TenantId AND name = @Name", row, tx);
                await c.Db.ExecuteAsync("DELETE FROM flags WHERE tenant_id IS @TenantId AND name = @Name", row, tx);
                await c.Db.ExecuteAsync(
                    "INSERT INTO flags (tenant_id, name, enabled, changed_by, changed_at) "
                    + "VALUES (@TenantId, @Name, @Enabled, @ChangedBy, @ChangedAt)",
                    row,
                    tx);
                return old is { } o ? o != 0 : (bool?)null;
            },
            ct);
    }
}
