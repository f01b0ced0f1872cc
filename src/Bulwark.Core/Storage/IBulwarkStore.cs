using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Jobs;
using Bulwark.Core.Keys;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Storage;

/// <summary>
/// Everything Bulwark keeps. Tenant data is reached only through a <see cref="TenantScope"/>
/// (TEN-1); the few cross-tenant paths are named for who may use them (worker claims, the
/// reaper, operator commands). Every method is one transaction: it either happens whole or
/// not at all. All times are passed in so that a fake clock drives leases and backoff.
/// </summary>
public interface IBulwarkStore : IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema. Idempotent; safe to call at every start.</summary>
    Task MigrateAsync(CancellationToken ct);

    /// <summary>True when the store answers a trivial query (readiness).</summary>
    Task<bool> PingAsync(CancellationToken ct);

    // ---- operator: tenants and keys -------------------------------------------------------

    /// <summary>
    /// On an empty store only: creates <paramref name="tenant"/> and <paramref name="adminKey"/>
    /// atomically and returns true. Returns false (and writes nothing) when any tenant exists,
    /// so the first admin key is printed once, ever (OPS-1).
    /// </summary>
    Task<bool> TryBootstrapAsync(Tenant tenant, ApiKeyRecord adminKey, CancellationToken ct);

    /// <summary>Throws <see cref="Errors.ConflictException"/> when the name is taken.</summary>
    Task CreateTenantAsync(Tenant tenant, CancellationToken ct);
    Task<Tenant?> FindTenantByNameAsync(string name, CancellationToken ct);
    Task<Tenant?> FindTenantByIdAsync(string id, CancellationToken ct);
    Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken ct);

    Task CreateApiKeyAsync(ApiKeyRecord key, CancellationToken ct);
    /// <summary>Authentication's lookup by key id (the id is not secret; the hash is checked by the caller).</summary>
    Task<ApiKeyRecord?> FindApiKeyAsync(string keyId, CancellationToken ct);
    Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(TenantScope scope, CancellationToken ct);
    /// <summary>False when no such key exists (or it was already revoked).</summary>
    Task<bool> RevokeApiKeyAsync(string keyId, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Operator: suspends or resumes the tenant by name (TEN-4). False when no such tenant exists.
    /// While suspended its credentials are refused and its jobs are not claimed.
    /// </summary>
    Task<bool> SetTenantSuspendedAsync(string tenantName, bool suspended, CancellationToken ct);

    // ---- revocations (AUTH-5) -------------------------------------------------------------

    /// <summary>Appends a revocation; revocations are never updated or deleted, only outlived.</summary>
    Task AddRevocationAsync(Revocation revocation, CancellationToken ct);

    /// <summary>
    /// Every revocation still in force at <paramref name="now"/>, of every tenant: the feed of the
    /// revocation cache each node refreshes from. Cross-tenant by design; for that cache only.
    /// </summary>
    Task<IReadOnlyList<Revocation>> ListRevocationsAsync(DateTimeOffset now, CancellationToken ct);

    // ---- users known from JWTs (AUTH-6) ---------------------------------------------------

    /// <summary>
    /// Creates the user in <paramref name="scope"/> (its tenant wins over the record's) and returns
    /// true; when the subject is already known, refreshes its e-mail, roles and last_seen and returns false.
    /// </summary>
    Task<bool> EnsureUserAsync(TenantScope scope, Identity.UserRecord user, CancellationToken ct);

    /// <summary>Null when the subject was never seen in this tenant.</summary>
    Task<Identity.UserRecord?> FindUserAsync(TenantScope scope, string subject, CancellationToken ct);

    // ---- templates ------------------------------------------------------------------------

    /// <summary>
    /// Stores a new version of the template owned by <paramref name="ownerTenantId"/> (null:
    /// global) and returns it; versions count from 1 per (owner, key).
    /// </summary>
    Task<JobTemplate> PutTemplateAsync(string? ownerTenantId, TemplateDefinition definition, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// The newest version visible to the tenant for new work: its own template first, else a
    /// global one. Retired versions are not visible (a retired own key no longer shadows a global one).
    /// </summary>
    Task<JobTemplate?> FindTemplateAsync(TenantScope scope, string key, CancellationToken ct);

    /// <summary>Newest version of each template visible to the tenant (its own and global ones), retired ones left out.</summary>
    Task<IReadOnlyList<JobTemplate>> ListTemplatesAsync(TenantScope scope, CancellationToken ct);

    /// <summary>
    /// JOB-1: retires every live version of the tenant's own template <paramref name="key"/>
    /// (never a global one, never another tenant's) and returns true; false when the tenant has
    /// no live template with that key. Stored versions stay (jobs and replays keep their own);
    /// a later <see cref="PutTemplateAsync"/> makes the key live again with the next version.
    /// </summary>
    Task<bool> RetireTemplateAsync(TenantScope scope, string key, DateTimeOffset now, CancellationToken ct);

    // ---- jobs: tenant side ----------------------------------------------------------------

    /// <summary>
    /// Enqueues, or returns the tenant's existing job with the same idempotency key
    /// (<see cref="EnqueueResult.Created"/> false). The audit entry is written in the same
    /// transaction so a job never exists without its record.
    /// </summary>
    Task<EnqueueResult> EnqueueAsync(TenantScope scope, NewJob job, AuditEntry audit, CancellationToken ct);

    /// <summary>Null when the job does not exist in this tenant.</summary>
    Task<Job?> GetJobAsync(TenantScope scope, string jobId, CancellationToken ct);

    Task<JobPage> ListJobsAsync(TenantScope scope, JobQuery query, CancellationToken ct);

    /// <summary>
    /// Scheduled/queued/retrying → cancelled at once; running → <c>cancel_requested</c> set so
    /// its worker kills it. Null when the job does not exist in this tenant. Throws
    /// <see cref="IllegalTransitionException"/> for a job already finished.
    /// </summary>
    Task<CancelResult?> RequestCancelAsync(TenantScope scope, string jobId, DateTimeOffset now, CancellationToken ct);

    /// <summary>All attempts' output of the job in order; null when the job is not in this tenant.</summary>
    Task<IReadOnlyList<JobLogEntry>?> GetLogsAsync(TenantScope scope, string jobId, CancellationToken ct);

    // ---- jobs: worker side (cross-tenant by design: workers serve every tenant) -----------

    /// <summary>
    /// Claims up to <paramref name="max"/> due jobs in ONE write transaction, highest priority
    /// first, then oldest <c>run_at</c>. Each claimed job is running, its attempt count is
    /// incremented, and it carries a fresh lease token expiring at now + lease.
    /// </summary>
    Task<IReadOnlyList<ClaimedJob>> ClaimAsync(string workerId, int max, TimeSpan lease, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Extends the lease to now + lease. Throws <see cref="Errors.ConflictException"/> (code
    /// <c>lease_lost</c>) when the fence no longer matches. Returns whether cancel was requested.
    /// </summary>
    Task<bool> HeartbeatAsync(Lease lease, TimeSpan extension, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Ends the attempt: checks the fence (stale → <see cref="Errors.ConflictException"/> code
    /// <c>lease_lost</c>, nothing written), checks the transition with <see cref="JobStateMachine"/>,
    /// then writes the job, the attempt row and its logs in one transaction.
    /// </summary>
    Task CompleteAsync(Lease lease, Completion completion, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Reaper: every running job whose lease expired before <paramref name="now"/> goes back to
    /// the queue (retrying, due now) while attempts remain, else dead with <c>lease_expired</c>;
    /// a job whose cancel was requested becomes cancelled. Returns how many were reclaimed.
    /// </summary>
    Task<int> ReapExpiredLeasesAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>The earliest run_at of a job waiting to be claimed, so idle workers sleep exactly as long as needed.</summary>
    Task<DateTimeOffset?> NextDueAtAsync(CancellationToken ct);

    /// <summary>
    /// OPS-2: how many jobs of every tenant are queued, scheduled, retrying and running, as totals
    /// (no tenant in the answer, TEN-1). Cross-tenant by design; for the metrics sampler only.
    /// </summary>
    Task<QueueDepth> QueueDepthAsync(CancellationToken ct);

    // ---- runtime API: the job's own data, fenced by its lease (JOB-7, AUTHZ-5) ------------------

    /// <summary>
    /// The job's variable <paramref name="name"/> as JSON text, or null when it was never set.
    /// Variables belong to the job (every attempt sees them). Checks the same fence as
    /// <see cref="HeartbeatAsync"/> first: stale → <see cref="Errors.ConflictException"/> code <c>lease_lost</c>.
    /// </summary>
    Task<string?> GetVariableAsync(Lease lease, string name, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Sets the job's variable under the fence (stale → <c>lease_lost</c>, nothing written), within
    /// the rules of <see cref="Runtime.RunVariables"/> (a new name beyond the cap → <c>variable_limit</c>).
    /// The row carries the job's tenant (TEN-1).
    /// </summary>
    Task PutVariableAsync(Lease lease, string name, string valueJson, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Appends <paramref name="text"/> to the attempt's logs as <paramref name="stream"/> (one of
    /// <see cref="Runtime.RuntimeLogs.IsKnownStream"/>) under the fence (stale → <c>lease_lost</c>, nothing written).
    /// </summary>
    Task AppendLogAsync(Lease lease, string stream, string text, DateTimeOffset now, CancellationToken ct);

    // ---- runtime API: named locks and write fences (AUTHZ-6, seed 003), under the lease ---------

    /// <summary>
    /// Takes (or renews) the job's tenant's lock <paramref name="name"/> for <paramref name="ttl"/>, the
    /// job being the owner. Free, released or lapsed: taken, its fence one higher than ever before.
    /// Held by this job: renewed, same fence. Held by another job and not lapsed: <see cref="Errors.ConflictException"/>
    /// <c>lock_held</c>. Checks the lease first (stale → <c>lease_lost</c>, nothing written).
    /// </summary>
    Task<Fences.LockGrant> AcquireLockAsync(Lease lease, string name, TimeSpan ttl, DateTimeOffset now, CancellationToken ct);

    /// <summary>Releases the lock when this job owns it (its fence is kept, so it keeps growing); false otherwise.</summary>
    Task<bool> ReleaseLockAsync(Lease lease, string name, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// <see cref="PutVariableAsync"/> that first checks, in the same transaction, <see cref="Fences.Locks.CheckFence"/>:
    /// a superseded fence → <c>fence_stale</c>, one this job does not hold → <c>fence_not_held</c>; nothing written.
    /// </summary>
    Task PutFencedVariableAsync(Lease lease, Fences.WriteFence fence, string name, string valueJson, DateTimeOffset now, CancellationToken ct);

    // ---- audit ----------------------------------------------------------------------------

    /// <summary>Append-only. There is deliberately no update or delete.</summary>
    Task AppendAuditAsync(AuditEntry entry, CancellationToken ct);

    /// <summary>The tenant's own entries, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(TenantScope scope, int limit, CancellationToken ct);

    /// <summary>
    /// The tenant's entries of <paramref name="action"/> with <paramref name="outcome"/> written at or
    /// after <paramref name="since"/>: a rate limit that holds across every node sharing the store (NET-3).
    /// </summary>
    Task<AuditTally> CountAuditAsync(TenantScope scope, string action, string outcome, DateTimeOffset since, CancellationToken ct);

    // ---- audit chain (AUD-2), retention (AUD-3) and purge (TEN-4) ------------------------------
    // Every append (AppendAuditAsync, EnqueueAsync) seals the entry into its chain: one per tenant,
    // one for entries without a tenant (AuditChain). The store holds the key, never the database.

    /// <summary>The tenant's own entries as stored (with their chain fields), newest first, one page of <see cref="AuditQuery"/>.</summary>
    Task<IReadOnlyList<SealedAuditEntry>> QueryAuditAsync(TenantScope scope, AuditQuery query, CancellationToken ct);

    /// <summary>Operator (verify, export): entries of every chain in store order, one page of <see cref="AuditChainRead"/>.</summary>
    Task<IReadOnlyList<SealedAuditEntry>> ReadAuditChainsAsync(AuditChainRead read, CancellationToken ct);

    /// <summary>Operator (verify): the last entry the store recorded for each chain.</summary>
    Task<IReadOnlyList<AuditChainHead>> ListAuditChainHeadsAsync(CancellationToken ct);

    /// <summary>
    /// Operator (TEN-4): deletes every row of the tenant named <paramref name="tenantName"/> in every
    /// table (its audit chain and the tenant row included) and appends <paramref name="record"/> to
    /// the system chain, its target the tenant id and its detail the row counts, in one transaction.
    /// Null (nothing written) when no such tenant exists.
    /// </summary>
    Task<TenantPurge?> PurgeTenantAsync(string tenantName, AuditEntry record, CancellationToken ct);

    /// <summary>
    /// AUD-3: removes what <paramref name="cutoffs"/> names; each chain is cut from its start behind an
    /// <see cref="AuditCheckpoint"/> appended at <paramref name="now"/>. The only way audit rows are
    /// ever deleted besides a purge. Null when another node is sweeping right now.
    /// </summary>
    Task<RetentionSweep?> SweepRetentionAsync(RetentionCutoffs cutoffs, DateTimeOffset now, CancellationToken ct);
}
