using Npgsql;

namespace Bulwark.Storage.Postgres.Connections;

/// <summary>
/// An open transaction in which the tenant setting is already set, so every statement run through
/// it sees and writes only that tenant's rows (TEN-1, enforced by row-level security). Made only
/// by <see cref="PostgresStore"/>'s one scoping method.
/// </summary>
internal sealed class TenantTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId)
{
    public NpgsqlConnection Connection => connection;

    public NpgsqlTransaction Transaction => transaction;

    /// <summary>The tenant set for this transaction; empty for a system event (audit only).</summary>
    public string TenantId => tenantId;

    /// <summary>A command enlisted in the transaction; Npgsql prepares repeated texts by itself.</summary>
    public NpgsqlCommand Command(string sql) => new(sql, connection, transaction);

    /// <summary>Statements sent together in one round trip, in order, in the transaction.</summary>
    public NpgsqlBatch Batch() => new(connection, transaction);
}
