using Bulwark.Core.Audit;
using Bulwark.Core.Events;
using Bulwark.Core.Fences;
using Bulwark.Core.Flags;
using Bulwark.Core.Identity;
using Bulwark.Core.Jobs;
using Bulwark.Core.Keys;
using Bulwark.Core.Manifests;
using Bulwark.Core.RateLimits;
using Bulwark.Core.Runtime;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Triggers;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// The data every wall test probes: tenants A and B, each with a row in every table the store's
/// API reaches (tenant, API key, user, template, job with its attempt, logs, variable, lock,
/// revocation, audit entries, flag value, event, trigger, manifest and replay bundle, rate
/// window), plus the rows that belong to no tenant (a global template, an
/// operator audit entry, a revocation of a token id in every tenant). Written through the store,
/// so the rows are shaped as production writes them. Both tenants use the same business keys
/// (RLS-14): a unique key without tenant_id would already fail here.
/// </summary>
public sealed record TwoTenants(SeededTenant A, SeededTenant B, JobTemplate GlobalTemplate)
{
    public const string SharedTemplateKey = "ops.scan";
    public const string SharedIdempotencyKey = "nightly";
    public const string SharedSubject = "alice";
    public const string SharedLockName = "deploy";
    public const string SharedVariableName = "progress";
    public const string GlobalTemplateKey = "global.scan";

    /// <summary>Carried by the rows that belong to no tenant (readable by none, except the global template).</summary>
    public const string NoTenantSecret = "secret-of-the-operator";

    private static readonly TimeSpan LeaseTime = TimeSpan.FromMinutes(5);

    public static async Task<TwoTenants> SeedAsync(IBulwarkStore store, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();

        var global = await store.PutTemplateAsync(null, Definition(GlobalTemplateKey), now, ct);
        await store.AppendAuditAsync(Audit(null, "tenant.create", NoTenantSecret, now), ct);
        await store.AddRevocationAsync(Revocation(clock, RevocationKind.Jti, null, NoTenantSecret), ct);

        var a = await TenantAsync(store, clock, "acme", ct);
        var b = await TenantAsync(store, clock, "globex", ct);

        // One claim takes both tenants' jobs (workers serve every tenant); each job then writes its
        // own variable, runtime log, lock and attempt under its lease, as job code does.
        var claimed = await store.ClaimAsync("wall-worker", 2, LeaseTime, now, ct);
        var locks = new Dictionary<string, LockGrant>(StringComparer.Ordinal);
        foreach (var job in claimed)
        {
            var secret = job.Job.TenantId == a.Scope.TenantId ? a.Secret : b.Secret;
            await store.PutVariableAsync(job.Lease, SharedVariableName, $"\"{secret}\"", now, ct);
            await store.AppendLogAsync(job.Lease, RuntimeLogs.Stream, secret + "\n", now, ct);
            locks[job.Job.TenantId] = await store.AcquireLockAsync(job.Lease, SharedLockName, LeaseTime, now, ct);
            await store.CompleteAsync(job.Lease, new Completion
            {
                NextState = JobState.Succeeded,
                ResultJson = $$"""{"secret":"{{secret}}"}""",
                ExitCode = 0,
                Stdout = secret + "\n",
                Stderr = secret + "\n",
            }, now, ct);
            var scope = job.Job.TenantId == a.Scope.TenantId ? a.Scope : b.Scope;
            await ((IManifestStore)store).SaveManifestAsync(
                scope,
                new StoredManifest(job.Job.TenantId, job.Job.Id, 1, now, $$"""{"secret":"{{secret}}"}"""),
                new StoredReplayBundle(job.Job.TenantId, job.Job.Id, now, $$"""{"secret":"{{secret}}"}"""),
                ct);
        }

        if (locks.Count != 2)
        {
            throw new InvalidOperationException($"The claim took {claimed.Count} jobs, expected one of each tenant.");
        }

        return new TwoTenants(a.Seeded(locks[a.Scope.TenantId]), b.Seeded(locks[b.Scope.TenantId]), global);
    }

    private static async Task<Enqueued> TenantAsync(IBulwarkStore store, TimeProvider clock, string name, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var secret = "secret-of-" + name;
        var tenant = new Tenant("ten_" + Guid.CreateVersion7(now).ToString("N"), name, now);
        var scope = TenantScope.Of(tenant);
        await store.CreateTenantAsync(tenant, ct);

        var minted = ApiKeys.Mint();
        await store.CreateApiKeyAsync(new ApiKeyRecord
        {
            Id = minted.Id,
            TenantId = tenant.Id,
            Name = "key " + secret,
            Scopes = [Scopes.JobsWrite],
            SecretHash = minted.SecretHash,
            CreatedAt = now,
        }, ct);

        var userCreated = await store.EnsureUserAsync(
            scope, new UserRecord(tenant.Id, SharedSubject, secret + "@example.test", ["operator"], now, now), ct);
        await store.AddRevocationAsync(Revocation(clock, RevocationKind.Subject, tenant.Id, secret), ct);

        var template = await store.PutTemplateAsync(tenant.Id, Definition(SharedTemplateKey), now, ct);
        var job = new NewJob
        {
            Id = JobIds.New(clock),
            Template = template,
            InputsJson = $$"""{"secret":"{{secret}}"}""",
            MaxAttempts = 3,
            IdempotencyKey = SharedIdempotencyKey,
            RunAt = now,
            CreatedAt = now,
            Actor = "user:" + SharedSubject,
        };
        var enqueued = await store.EnqueueAsync(scope, job, Audit(tenant.Id, "job.submit", secret, now), ct);
        await store.AppendAuditAsync(Audit(tenant.Id, "key.create", secret, now), ct);
        await GuardRailRowsAsync(store, scope, secret, now, ct);

        return new Enqueued(scope, secret, template, enqueued.Job, enqueued.Created, userCreated);
    }

    /// <summary>The tenant's flag value, event, cron trigger (due, so the scheduler's list sees it) and rate window.</summary>
    private static async Task GuardRailRowsAsync(IBulwarkStore store, TenantScope scope, string secret, DateTimeOffset now, CancellationToken ct)
    {
        await ((IFlagStore)store).SetFlagAsync(new StoredFlag(scope.TenantId, "events", false, secret, now), ct);
        await ((IEventStore)store).AddEventAsync(scope, new TenantEvent
        {
            Id = "evt_" + Guid.CreateVersion7(now).ToString("N"),
            TenantId = scope.TenantId,
            EventType = "build.finished",
            PayloadJson = $$"""{"secret":"{{secret}}"}""",
            ReceivedAt = now,
            Actor = "user:" + SharedSubject,
        }, Audit(scope.TenantId, "event.submit", secret, now), ct);
        await ((ITriggerStore)store).PutTriggerAsync(scope, new Trigger
        {
            TenantId = scope.TenantId,
            Name = "nightly",
            Kind = TriggerKind.Cron,
            TemplateKey = SharedTemplateKey,
            Cron = "0 3 * * *",
            TimeZone = "UTC",
            InputsJson = $$"""{"secret":"{{secret}}"}""",
            NextFireAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        }, ct);
        await ((IRateLimitStore)store).TakeAsync(scope, new RateWindowTake(secret, "jobs", now, TimeSpan.FromMinutes(1), 10), ct);
    }

    /// <summary>A tenant's rows before its job was claimed.</summary>
    private sealed record Enqueued(TenantScope Scope, string Secret, JobTemplate Template, Job Job, bool JobCreated, bool UserCreated)
    {
        public SeededTenant Seeded(LockGrant lockGrant) =>
            new(Scope, Secret, Template, Job, JobCreated, UserCreated, lockGrant);
    }

    private static TemplateDefinition Definition(string key) => new()
    {
        Key = key,
        Kind = TemplateKind.Script,
        Command = ["/bin/true"],
    };

    private static AuditEntry Audit(string? tenantId, string action, string secret, DateTimeOffset now) => new()
    {
        At = now,
        TenantId = tenantId,
        Actor = "user:" + SharedSubject,
        Action = action,
        Target = secret,
        Outcome = "success",
        DetailJson = $$"""{"secret":"{{secret}}"}""",
    };

    private static Revocation Revocation(TimeProvider clock, RevocationKind kind, string? tenantId, string value) => new()
    {
        Id = Core.Identity.Revocation.NewId(clock),
        Kind = kind,
        TenantId = tenantId,
        Value = value,
        CreatedAt = clock.GetUtcNow(),
        Reason = "wall test",
        Actor = "operator",
    };
}
