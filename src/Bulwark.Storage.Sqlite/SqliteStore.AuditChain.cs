using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Sqlite.Connections;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Bulwark.Storage.Sqlite;

// The audit chain (AUD-2): every append reads its chain's head and writes the sealed entry and the
// new head in the caller's write transaction. SQLite has one writer, so a chain never forks.
public sealed partial class SqliteStore
{
    private const string ReadHeadSql = "SELECT last_seq, last_hash FROM audit_chain_heads WHERE chain = @Chain";

    private const string InsertSealedAuditSql =
        "INSERT INTO audit_log (at, tenant_id, actor, action, target, outcome, request_id, trace_id, latency_ms, dry_run, detail_json, "
        + "chain, chain_seq, prev_hash, hash) "
        + "VALUES (@At, @TenantId, @Actor, @Action, @Target, @Outcome, @RequestId, @TraceId, @LatencyMs, @DryRun, @DetailJson, "
        + "@Chain, @ChainSeq, @PrevHash, @Hash)";

    private const string WriteHeadSql =
        "INSERT INTO audit_chain_heads (chain, tenant_id, last_seq, last_hash) VALUES (@Chain, @TenantId, @ChainSeq, @Hash) "
        + "ON CONFLICT (chain) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash";

    private async Task AppendSealedAsync(StoreConnection connection, SqliteTransaction transaction, AuditEntry entry, CancellationToken ct)
    {
        var chain = AuditChain.ChainOf(entry.TenantId);
        long lastSeq = 0;
        byte[]? lastHash = null;
        await using (var reader = await connection.Prepared(ReadHeadSql, transaction).Bind("@Chain", chain).ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                lastSeq = reader.GetInt64(0);
                lastHash = (byte[])reader.GetValue(1);
            }
        }

        var seal = AuditSeal.Next(_auditKey, entry, lastSeq, lastHash);
        await connection.Prepared(InsertSealedAuditSql, transaction)
            .Bind("@At", UnixMs.From(entry.At))
            .Bind("@TenantId", entry.TenantId)
            .Bind("@Actor", entry.Actor)
            .Bind("@Action", entry.Action)
            .Bind("@Target", entry.Target)
            .Bind("@Outcome", entry.Outcome)
            .Bind("@RequestId", entry.RequestId)
            .Bind("@TraceId", entry.TraceId)
            .Bind("@LatencyMs", entry.LatencyMs)
            .Bind("@DryRun", entry.DryRun ? 1 : 0)
            .Bind("@DetailJson", entry.DetailJson)
            .Bind("@Chain", seal.Chain)
            .Bind("@ChainSeq", seal.ChainSeq)
            .Bind("@PrevHash", seal.PrevHash)
            .Bind("@Hash", seal.Hash)
            .ExecuteNonQueryAsync(ct);
        await connection.Prepared(WriteHeadSql, transaction)
            .Bind("@Chain", seal.Chain)
            .Bind("@TenantId", entry.TenantId)
            .Bind("@ChainSeq", seal.ChainSeq)
            .Bind("@Hash", seal.Hash)
            .ExecuteNonQueryAsync(ct);
    }

    public Task<IReadOnlyList<SealedAuditEntry>> QueryAuditAsync(TenantScope scope, AuditQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(query);

        // Only fixed fragments are appended; every value is a parameter.
        var sql = new StringBuilder($"SELECT {AuditRow.SealedColumns} FROM audit_log WHERE tenant_id = @TenantId");
        AppendWindow(sql, query.From, query.To);
        if (query.Action is not null)
        {
            sql.Append(" AND action = @Action");
        }

        if (query.BeforeSeq is not null)
        {
            sql.Append(" AND seq < @BeforeSeq");
        }

        sql.Append(" ORDER BY seq DESC LIMIT @Limit");
        var parameters = new
        {
            scope.TenantId,
            From = UnixMs.From(query.From),
            To = UnixMs.From(query.To),
            query.Action,
            query.BeforeSeq,
            Limit = Math.Clamp(query.Limit, 1, AuditQuery.MaxLimit),
        };
        return ReadAsync(
            async c => (IReadOnlyList<SealedAuditEntry>)(await c.Db.QueryAsync<AuditRow>(sql.ToString(), parameters))
                .Select(r => r.ToSealed()).ToList(),
            ct);
    }

    public Task<IReadOnlyList<SealedAuditEntry>> ReadAuditChainsAsync(AuditChainRead read, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(read);
        var sql = new StringBuilder($"SELECT {AuditRow.SealedColumns} FROM audit_log WHERE seq > @AfterSeq");
        AppendWindow(sql, read.From, read.To);
        if (read.Chain is not null)
        {
            sql.Append(" AND chain = @Chain");
        }

        sql.Append(" ORDER BY seq LIMIT @Limit");
        var parameters = new
        {
            read.AfterSeq,
            From = UnixMs.From(read.From),
            To = UnixMs.From(read.To),
            read.Chain,
            Limit = Math.Clamp(read.Limit, 1, AuditChainRead.MaxLimit),
        };
        return ReadAsync(
            async c => (IReadOnlyList<SealedAuditEntry>)(await c.Db.QueryAsync<AuditRow>(sql.ToString(), parameters))
                .Select(r => r.ToSealed()).ToList(),
            ct);
    }

    public Task<IReadOnlyList<AuditChainHead>> ListAuditChainHeadsAsync(CancellationToken ct) =>
        ReadAsync(
            async c => (IReadOnlyList<AuditChainHead>)(await c.Db.QueryAsync<AuditChainHeadRow>(
                    $"SELECT {AuditChainHeadRow.Columns} FROM audit_chain_heads ORDER BY chain"))
                .Select(r => r.ToHead()).ToList(),
            ct);

    private static void AppendWindow(StringBuilder sql, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is not null)
        {
            sql.Append(" AND at >= @From");
        }

        if (to is not null)
        {
            sql.Append(" AND at < @To");
        }
    }

    /// <summary>
    /// Runs deletions of audit rows (retention, purge) with the permit the delete trigger asks for,
    /// taken and given back inside the caller's transaction: no other statement ever sees it.
    /// </summary>
    private static async Task<T> WithAuditDeletePermitAsync<T>(StoreConnection connection, SqliteTransaction transaction, Func<Task<T>> work)
    {
        await connection.Db.ExecuteAsync("INSERT INTO audit_delete_permit (id) VALUES (1)", transaction: transaction);
        var result = await work();
        await connection.Db.ExecuteAsync("DELETE FROM audit_delete_permit", transaction: transaction);
        return result;
    }
}
