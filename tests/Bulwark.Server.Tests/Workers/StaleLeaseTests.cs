using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Sandbox;
using Bulwark.Core.Tenancy;
using Bulwark.Sandbox;
using Bulwark.Server.Execution;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;
using Bulwark.Server.Tests.Support;
using Bulwark.Server.Workers;
using Bulwark.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.Workers;

/// <summary>
/// JOB-3 through the real worker: a worker whose lease expired and was reclaimed runs its
/// attempt to the end, and its late completion is refused — the job stays with the new owner.
/// </summary>
public sealed class StaleLeaseTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bulwark-stale-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SqliteStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(_dir, "bulwark.db"));
        await _store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Stale_worker_completion_is_refused_and_changes_nothing()
    {
        var operators = new OperatorCommands(_store, _time);
        var tenant = await operators.CreateTenantAsync("acme", CancellationToken.None);
        var template = await operators.ApplyTemplateAsync(TemplateFiles.Script("stale.job", "echo from-$BULWARK_ATTEMPT", maxAttempts: 3), CancellationToken.None);
        var scope = TenantScope.Of(tenant);
        var now = _time.GetUtcNow();
        var job = new NewJob { Id = JobIds.New(_time), Template = template, InputsJson = "{}", MaxAttempts = 3, RunAt = now, CreatedAt = now };
        await _store.EnqueueAsync(scope, job, new AuditEntry { At = now, Actor = "test", Action = "job.submit", Outcome = "success", TenantId = tenant.Id }, CancellationToken.None);

        var lease = TimeSpan.FromSeconds(30);
        var stale = (await _store.ClaimAsync("worker-a", 1, lease, _time.GetUtcNow(), CancellationToken.None)).Single();
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await _store.ReapExpiredLeasesAsync(_time.GetUtcNow(), CancellationToken.None));
        var current = (await _store.ClaimAsync("worker-b", 1, lease, _time.GetUtcNow(), CancellationToken.None)).Single();
        Assert.Equal(2, current.Lease.Attempt);

        // Worker A finishes its (real, sandboxed) run late.
        await RunnerFor(_store).RunAsync(stale, CancellationToken.None);

        var afterStale = (await _store.GetJobAsync(scope, job.Id, CancellationToken.None))!;
        Assert.Equal(JobState.Running, afterStale.State);
        Assert.Equal(2, afterStale.Attempts);
        Assert.Empty((await _store.GetLogsAsync(scope, job.Id, CancellationToken.None))!);

        // The current owner's completion is accepted.
        await RunnerFor(_store).RunAsync(current, CancellationToken.None);
        var done = (await _store.GetJobAsync(scope, job.Id, CancellationToken.None))!;
        Assert.Equal(JobState.Succeeded, done.State);
        var logs = (await _store.GetLogsAsync(scope, job.Id, CancellationToken.None))!;
        Assert.All(logs, l => Assert.Equal(2, l.Attempt));
        Assert.Contains(logs, l => l.Text.Contains("from-2", StringComparison.Ordinal));
    }

    private JobRunner RunnerFor(SqliteStore store)
    {
        ISandbox sandbox = new BubblewrapSandbox(new BubblewrapOptions { WorkRoot = Path.Combine(_dir, "runs") });
        var options = new BulwarkOptions { DataDir = _dir };
        return new JobRunner(store, new ExecutorRegistry([new ScriptExecutor(sandbox)]), new RunningJobs(), options, _time, NullLogger<JobRunner>.Instance);
    }
}
