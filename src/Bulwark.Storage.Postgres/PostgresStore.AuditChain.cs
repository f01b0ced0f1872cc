using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Postgres.Connections;
using Dapper;
using Npgsql;

namespace Bulwark.Storage.Postgres;

// The audit chain (AUD-2). An append locks its chain's head row (made on first use) in the writing
// transaction, seals the entry after it here (the key never reaches the database), then inserts
// the entry and moves the head. A tenant's chain is under row-level security like its other rows;
// the system chain's head belongs to no tenant and is reached through two definer functions.
public sealed partial class PostgresStore
{
    private const string LockTenantHeadSql =
        "INSERT INTO audit_chain_heads AS h (chain, tenant_id, last_seq, last_hash) "
        + "VALUES (@head_tenant, @head_tenant, 0, decode(repeat('00', 32), 'hex')) "
        + "ON CONFLICT (chain) DO UPDATE SET last_seq = h.last_seq RETURNING h.last_seq, h.last_hash";

    private const string LockSystemHeadSql = "SELECT last_seq, last_hash FROM lock_system_chain()";

    private const string InsertSealedAuditSql =
        "INSERT INTO audit_log (at, tenant_id, actor, action, target, outcome, request_id, trace_id, latency_ms, dry_run, detail_json, "
        + "chain, chain_seq, prev_hash, hash) "
        + "VALUES (@at, @tenant, @actor, @action, @target, @outcome, @request_id, @trace_id, @latency_ms, @dry_run, @detail, "
        + "@chain, @chain_seq, @prev_hash, @hash)";

    private const string AdvanceTenantHeadSql =
        "UPDATE audit_chain_heads SET last_seq = @head_seq, last_hash = @head_hash WHERE chain = @head_chain";

    private const string AdvanceSystemHeadSql = "SELECT advance_system_chain(@head_seq, @head_hash)";

    public Task AppendAuditAsync(AuditEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return InTenantAsync(
            entry.TenantId,
            async tx =>
            {
                await AppendSealedAsync(tx, entry, ct);
                return 0;
            },
            ct);
    }

    /// <summary>Appends <paramref name="entry"/> (of the transaction's tenant, or of none) to its chain: two round trips.</summary>
    private async Task<AuditSeal> AppendSealedAsync(TenantTransaction tx, AuditEntry entry, CancellationToken ct)
    {
        var head = await LockHeadAsync(tx, ct);
        var seal = Seal(entry, head);
        await using var append = tx.Batch();
        AddSealed(append, seal);
        await append.ExecuteNonQueryAsync(ct);
        return seal;
    }

    /// <summary>Locks the chain head of the transaction's tenant (or the system chain's), until commit.</summary>
    private static async Task<ChainHead> LockHeadAsync(TenantTransaction tx, CancellationToken ct)
    {
        await using var lockHead = tx.Batch();
        AddLockHead(lockHead, tx.TenantId);
        await using var reader = await lockHead.ExecuteReaderAsync(ct);
        return await ReadHeadAsync(reader, ct);
    }

    /// <summary>Adds the statement that locks the chain head of <paramref name="tenantId"/> ('' : the system chain).</summary>
    private static void AddLockHead(NpgsqlBatch batch, string tenantId)
    {
        if (tenantId.Length == 0)
        {
            batch.Add(LockSystemHeadSql);
        }
        else
        {
            batch.Add(LockTenantHeadSql).Bind("head_tenant", tenantId);
        }
    }

    private static async Task<ChainHead> ReadHeadAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        if (!await reader.ReadAsync(ct))
        {
            throw new InvalidOperationException("The audit chain head was not returned.");
        }

        return new ChainHead(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
    }

    private AuditSeal Seal(AuditEntry entry, ChainHead head) =>
        AuditSeal.Next(AuditSeal.Require(_auditKey), entry, head.LastSeq, head.LastSeq == 0 ? null : head.LastHash);

    /// <summary>Adds the sealed entry's insert and its chain head's move to the batch.</summary>
    private static void AddSealed(NpgsqlBatch batch, AuditSeal seal)
    {
        var entry = seal.Entry;
        batch.Add(InsertSealedAuditSql)
            .Bind("at", UnixMs.From(entry.At))
            .Bind("tenant", entry.TenantId)
            .Bind("actor", entry.Actor)
            .Bind("action", entry.Action)
            .Bind("target", entry.Target)
            .Bind("outcome", entry.Outcome)
            .Bind("request_id", entry.RequestId)
            .Bind("trace_id", entry.TraceId)
            .Bind("latency_ms", entry.LatencyMs)
            .Bind("dry_run", entry.DryRun)
            .Bind("detail", entry.DetailJson)
            .Bind("chain", seal.Chain)
            .Bind("chain_seq", seal.ChainSeq)
            .Bind("prev_hash", seal.PrevHash)
            .Bind("hash", seal.Hash);
        if (seal.Chain == AuditChain.SystemChain)
        {
            batch.Add(AdvanceSystemHeadSql).Bind("head_seq", seal.ChainSeq).Bind("head_hash", seal.Hash);
        }
        else
        {
            batch.Add(AdvanceTenantHeadSql).Bind("head_seq", seal.ChainSeq).Bind("head_hash", seal.Hash).Bind("head_chain", seal.Chain);
        }
    }

    public Task<IReadOnlyList<SealedAuditEntry>> QueryAuditAsync(TenantScope scope, AuditQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(query);

        // Only fixed fragments are appended; every value is a parameter. Row-level security keeps it to the tenant.
        var sql = new StringBuilder($"SELECT {AuditRow.SealedColumns} FROM audit_log WHERE true");
        if (query.From is not null)
        {
            sql.Append(" AND at >= @From");
        }

        if (query.To is not null)
        {
            sql.Append(" AND at < @To");
        }

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
            From = UnixMs.From(query.From),
            To = UnixMs.From(query.To),
            query.Action,
            query.BeforeSeq,
            Limit = Math.Clamp(query.Limit, 1, AuditQuery.MaxLimit),
        };
        return InTenantAsync(
            scope.TenantId,
            async tx => (IReadOnlyList<SealedAuditEntry>)(await tx.Connection.QueryAsync<AuditRow>(sql.ToString(), parameters, tx.Transaction))
                .Select(r => r.ToSealed()).ToList(),
            ct);
    }

    public Task<IReadOnlyList<SealedAuditEntry>> ReadAuditChainsAsync(AuditChainRead read, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(read);
        var parameters = new
        {
            read.AfterSeq,
            Limit = Math.Clamp(read.Limit, 1, AuditChainRead.MaxLimit),
            read.Chain,
            From = UnixMs.From(read.From),
            To = UnixMs.From(read.To),
        };
        return OutsideTenantsAsync(
            async c => (IReadOnlyList<SealedAuditEntry>)(await c.QueryAsync<AuditRow>(
                    $"SELECT {AuditRow.SealedColumns} FROM read_audit_chains(@AfterSeq, @Limit, @Chain::text, @From::bigint, @To::bigint)",
                    parameters))
                .Select(r => r.ToSealed()).ToList(),
            ct);
    }

    public Task<IReadOnlyList<AuditChainHead>> ListAuditChainHeadsAsync(CancellationToken ct) =>
        OutsideTenantsAsync(
            async c => (IReadOnlyList<AuditChainHead>)(await c.QueryAsync<AuditChainHeadRow>(
                    $"SELECT {AuditChainHeadRow.Columns} FROM list_audit_chain_heads()"))
                .Select(r => r.ToHead()).ToList(),
            ct);

    /// <summary>A chain's head as locked: last_seq 0 means the chain has no entry yet.</summary>
    private readonly record struct ChainHead(long LastSeq, byte[] LastHash);
}
