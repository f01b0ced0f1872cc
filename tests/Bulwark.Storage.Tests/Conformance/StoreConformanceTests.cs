using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Keys;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Storage.Tests.Conformance;

/// <summary>
/// The one behaviour every <see cref="IBulwarkStore"/> must show, whatever its engine. A store
/// joins by deriving and saying how to create a fresh database, how to open a second store on the
/// same database (another process's view; persistence), and how to run a raw statement that
/// bypasses the store (to prove the database itself refuses what the code never does).
/// Time is a <see cref="FakeTimeProvider"/>: leases, delays and backoff are driven, never slept.
/// </summary>
public abstract partial class StoreConformanceTests : IAsyncLifetime
{
    protected static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(30);
    protected static readonly CancellationToken Ct = CancellationToken.None;

    private readonly List<IBulwarkStore> _opened = [];

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>The key every store of the test seals the audit chain with (AUD-2).</summary>
    protected AuditKey AuditKey { get; } = AuditKey.Generate();

    /// <summary>The store under test, migrated, on a fresh database.</summary>
    protected IBulwarkStore Store { get; private set; } = null!;

    protected DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>A store on a brand-new, empty database (not yet migrated).</summary>
    protected abstract Task<IBulwarkStore> CreateStoreAsync();

    /// <summary>Another store instance on the database of <see cref="CreateStoreAsync"/>.</summary>
    protected abstract Task<IBulwarkStore> ReopenStoreAsync();

    /// <summary>Runs one statement through a connection of its own, outside the store.</summary>
    protected abstract Task ExecuteRawAsync(string sql);

    /// <summary>
    /// Runs one statement as an attacker with direct access to the database would (AUD-2): with
    /// the append-only triggers out of the way and nothing but the key out of reach.
    /// </summary>
    protected abstract Task TamperAsync(string sql);

    /// <summary>
    /// "table.column" once per cell, in every table the database's own catalog lists (not a hand-kept
    /// list), whose text equals <paramref name="value"/>: where a tenant id still lives (TEN-4).
    /// </summary>
    protected abstract Task<List<string>> CellsHoldingAsync(string value);

    /// <summary>Removes the database once every store on it is closed.</summary>
    protected abstract Task DeleteStoreAsync();

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        _opened.Add(Store);
        await Store.MigrateAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }

        await DeleteStoreAsync();
    }

    /// <summary>A second, migrated store on the same database, closed with the test.</summary>
    protected async Task<IBulwarkStore> OpenAnotherAsync()
    {
        var store = await ReopenStoreAsync();
        _opened.Add(store);
        await store.MigrateAsync(Ct);
        return store;
    }

    protected async Task<TenantScope> NewTenantAsync(string name)
    {
        var tenant = new Tenant(NewId("ten_"), name, Now);
        await Store.CreateTenantAsync(tenant, Ct);
        return TenantScope.Of(tenant);
    }

    protected static TemplateDefinition Definition(string key) => new()
    {
        Key = key,
        Kind = TemplateKind.Script,
        Command = ["/bin/true"],
    };

    protected Task<JobTemplate> PutTemplateAsync(string? ownerTenantId, string key) =>
        Store.PutTemplateAsync(ownerTenantId, Definition(key), Now, Ct);

    /// <summary>
    /// A submission due now unless <paramref name="delay"/> says later. The clock moves one
    /// millisecond first, so ids (time-ordered) follow submission order exactly.
    /// </summary>
    protected NewJob NewJob(
        JobTemplate template,
        int priority = 0,
        string? idempotencyKey = null,
        TimeSpan? delay = null,
        int maxAttempts = 3,
        string inputsJson = "{}")
    {
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        return new NewJob
        {
            Id = JobIds.New(Clock),
            Template = template,
            InputsJson = inputsJson,
            MaxAttempts = maxAttempts,
            Priority = priority,
            IdempotencyKey = idempotencyKey,
            RunAt = Now + (delay ?? TimeSpan.Zero),
            CreatedAt = Now,
            Actor = "user:test",
        };
    }

    protected AuditEntry SubmitAudit(TenantScope scope, string? target = null) => new()
    {
        At = Now,
        TenantId = scope.TenantId,
        Actor = "user:test",
        Action = "job.submit",
        Target = target,
        Outcome = "success",
        RequestId = "req-1",
        TraceId = "trace-1",
        LatencyMs = 3,
    };

    protected async Task<Job> EnqueueAsync(
        TenantScope scope,
        JobTemplate template,
        int priority = 0,
        string? idempotencyKey = null,
        TimeSpan? delay = null,
        int maxAttempts = 3)
    {
        var job = NewJob(template, priority, idempotencyKey, delay, maxAttempts);
        var result = await Store.EnqueueAsync(scope, job, SubmitAudit(scope, job.Id), Ct);
        Assert.True(result.Created);
        return result.Job;
    }

    /// <summary>A tenant with one template of its own: the common starting point of job tests.</summary>
    protected async Task<(TenantScope Scope, JobTemplate Template)> TenantWithTemplateAsync(string name = "acme")
    {
        var scope = await NewTenantAsync(name);
        var template = await PutTemplateAsync(scope.TenantId, "ops.scan");
        return (scope, template);
    }

    protected async Task<ClaimedJob> ClaimOneAsync(string worker = "w1", IBulwarkStore? store = null)
    {
        var claimed = await (store ?? Store).ClaimAsync(worker, 1, LeaseTime, Now, Ct);
        return Assert.Single(claimed);
    }

    protected static Completion Succeeded(string stdout = "", string stderr = "") => new()
    {
        NextState = JobState.Succeeded,
        ResultJson = """{"ok":true}""",
        ExitCode = 0,
        Stdout = stdout,
        Stderr = stderr,
    };

    protected static ApiKeyRecord NewKey(string tenantId, DateTimeOffset createdAt, params string[] scopes)
    {
        var minted = ApiKeys.Mint();
        return new ApiKeyRecord
        {
            Id = minted.Id,
            TenantId = tenantId,
            Name = "key " + minted.Id,
            Scopes = scopes,
            SecretHash = minted.SecretHash,
            CreatedAt = createdAt,
        };
    }

    protected string NewId(string prefix) => prefix + Guid.CreateVersion7(Now).ToString("N");

    protected Task<Job?> GetAsync(TenantScope scope, string jobId) => Store.GetJobAsync(scope, jobId, Ct);

    protected async Task<Job> RequireJobAsync(TenantScope scope, string jobId) =>
        await GetAsync(scope, jobId) ?? throw new InvalidOperationException($"Job {jobId} vanished.");
}
