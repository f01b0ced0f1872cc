using Bulwark.Core.Audit;
using Bulwark.Core.Fences;
using Bulwark.Core.Identity;
using Bulwark.Core.Jobs;
using Bulwark.Core.Keys;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Postgres;

/// <summary>
/// The multi-node store: one PostgreSQL database shared by every node, with row-level security as
/// the tenant wall underneath the code (TEN-2).
/// </summary>
public sealed partial class PostgresStore : IBulwarkStore, IWorkWakeups
{
    private readonly PostgresStoreOptions _options;

    public PostgresStore(PostgresStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public Task MigrateAsync(CancellationToken ct) => throw new NotImplementedException();
    public Task<bool> PingAsync(CancellationToken ct) => throw new NotImplementedException();
    public Task<bool> TryBootstrapAsync(Tenant tenant, ApiKeyRecord adminKey, CancellationToken ct) => throw new NotImplementedException();
    public Task CreateTenantAsync(Tenant tenant, CancellationToken ct) => throw new NotImplementedException();
    public Task<Tenant?> FindTenantByNameAsync(string name, CancellationToken ct) => throw new NotImplementedException();
    public Task<Tenant?> FindTenantByIdAsync(string id, CancellationToken ct) => throw new NotImplementedException();
    public Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken ct) => throw new NotImplementedException();
    public Task CreateApiKeyAsync(ApiKeyRecord key, CancellationToken ct) => throw new NotImplementedException();
    public Task<ApiKeyRecord?> FindApiKeyAsync(string keyId, CancellationToken ct) => throw new NotImplementedException();
    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(TenantScope scope, CancellationToken ct) => throw new NotImplementedException();
    public Task<bool> RevokeApiKeyAsync(string keyId, DateTimeOffset at, CancellationToken ct) => throw new NotImplementedException();
    public Task<bool> SetTenantSuspendedAsync(string tenantName, bool suspended, CancellationToken ct) => throw new NotImplementedException();
    public Task AddRevocationAsync(Revocation revocation, CancellationToken ct) => throw new NotImplementedException();
    public Task<IReadOnlyList<Revocation>> ListRevocationsAsync(DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task<bool> EnsureUserAsync(TenantScope scope, UserRecord user, CancellationToken ct) => throw new NotImplementedException();
    public Task<UserRecord?> FindUserAsync(TenantScope scope, string subject, CancellationToken ct) => throw new NotImplementedException();
    public Task<JobTemplate> PutTemplateAsync(string? ownerTenantId, TemplateDefinition definition, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task<JobTemplate?> FindTemplateAsync(TenantScope scope, string key, CancellationToken ct) => throw new NotImplementedException();
    public Task<IReadOnlyList<JobTemplate>> ListTemplatesAsync(TenantScope scope, CancellationToken ct) => throw new NotImplementedException();
    public Task<EnqueueResult> EnqueueAsync(TenantScope scope, NewJob job, AuditEntry audit, CancellationToken ct) => throw new NotImplementedException();
    public Task<Job?> GetJobAsync(TenantScope scope, string jobId, CancellationToken ct) => throw new NotImplementedException();
    public Task<JobPage> ListJobsAsync(TenantScope scope, JobQuery query, CancellationToken ct) => throw new NotImplementedException();
    public Task<CancelResult?> RequestCancelAsync(TenantScope scope, string jobId, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task<IReadOnlyList<JobLogEntry>?> GetLogsAsync(TenantScope scope, string jobId, CancellationToken ct) => throw new NotImplementedException();
    public Task<IReadOnlyList<ClaimedJob>> ClaimAsync(string workerId, int max, TimeSpan lease, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task<bool> HeartbeatAsync(Lease lease, TimeSpan extension, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task CompleteAsync(Lease lease, Completion completion, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task<int> ReapExpiredLeasesAsync(DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task<DateTimeOffset?> NextDueAtAsync(CancellationToken ct) => throw new NotImplementedException();
    public Task<string?> GetVariableAsync(Lease lease, string name, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task PutVariableAsync(Lease lease, string name, string valueJson, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task AppendLogAsync(Lease lease, string stream, string text, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task<LockGrant> AcquireLockAsync(Lease lease, string name, TimeSpan ttl, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task<bool> ReleaseLockAsync(Lease lease, string name, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task PutFencedVariableAsync(Lease lease, WriteFence fence, string name, string valueJson, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();
    public Task AppendAuditAsync(AuditEntry entry, CancellationToken ct) => throw new NotImplementedException();
    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(TenantScope scope, int limit, CancellationToken ct) => throw new NotImplementedException();
    public Task<AuditTally> CountAuditAsync(TenantScope scope, string action, string outcome, DateTimeOffset since, CancellationToken ct) => throw new NotImplementedException();
    public IAsyncDisposable Subscribe(Action wake) => throw new NotImplementedException();
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
