using Bulwark.Core.Flags;
using Bulwark.Storage.Common;
using Dapper;

namespace Bulwark.Storage.Postgres;

// FLAG-2: a tenant's own flag values live behind the tenant wall; node-wide values (no tenant) are
// written through set_node_flag, and every node's flag state reads them all through read_flags.
public sealed partial class PostgresStore : IFlagStore
{
    public Task<IReadOnlyList<StoredFlag>> ReadFlagsAsync(CancellationToken ct) =>
        OutsideTenantsAsync(
            async connection =>
            {
                var rows = await connection.QueryAsync<FlagRow>($"SELECT {FlagRow.Columns} FROM read_flags()");
                return (IReadOnlyList<StoredFlag>)rows.Select(r => r.ToRecord()).ToList();
            },
            ct);

    public Task<bool?> SetFlagAsync(StoredFlag flag, CancellationToken ct)
    {
        var row = FlagRow.From(flag);
        if (flag.TenantId is null)
        {
            return OutsideTenantsAsync(
                connection => connection.ExecuteScalarAsync<bool?>(
                    "SELECT set_node_flag(@Name, @Enabled, @ChangedBy, @ChangedAt)", row),
                ct);
        }

        return InTenantAsync(
            flag.TenantId,
            async tx =>
            {
                // The row lock holds the old value until commit, so two writers each see the one before them.
                var old = await tx.Connection.ExecuteScalarAsync<bool?>(
                    "SELECT enabled FROM flags WHERE tenant_id = @TenantId AND name = @Name FOR UPDATE", row, tx.Transaction);
                await tx.Connection.ExecuteAsync(
                    "INSERT INTO flags (tenant_id, name, enabled, changed_by, changed_at) "
                    + "VALUES (@TenantId, @Name, @Enabled, @ChangedBy, @ChangedAt) "
                    + "ON CONFLICT (tenant_id, name) DO UPDATE SET enabled = excluded.enabled, "
                    + "changed_by = excluded.changed_by, changed_at = excluded.changed_at",
                    row,
                    tx.Transaction);
                return old;
            },
            ct);
    }
}
