using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Tests.Cli;
using Bulwark.Storage.Postgres;
using Bulwark.Storage.Tests.Postgres;
using Dapper;
using Npgsql;

namespace Bulwark.Server.Tests.MultiNode;

/// <summary>
/// Several <c>bulwark serve</c> processes (and remote workers) sharing one throwaway PostgreSQL
/// database, each with its own data dir, all on loopback, all running jobs in the real sandbox.
/// Operator commands are the built CLI too. The database's superuser is only the tests' window
/// on what happened; no node ever sees it. Disposing kills every process, also after a failure.
/// </summary>
internal sealed class NodeCluster : IAsyncDisposable
{
    public const string WorkerToken = "multi-node-worker-token-0123456789abcdef";

    /// <summary>The audit chain's key every node and operator command shares (AUD-2), made for this cluster alone.</summary>
    public string AuditKeyHex { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private readonly List<IDisposable> _processes = [];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "bulwark-nodes-" + Guid.NewGuid().ToString("N"));

    private NodeCluster(PostgresTestDatabase database)
    {
        Database = database;
        Directory.CreateDirectory(_root);
    }

    public PostgresTestDatabase Database { get; }

    public static async Task<NodeCluster> CreateAsync() => new(await PostgresTestDatabase.CreateAsync());

    /// <summary>
    /// The settings every node shares, as ServerFixture's: short leases and polls, a sandbox uid
    /// of the suite's own (see ServerFixture), few worker slots so that work has to be shared.
    /// </summary>
    public Dictionary<string, string> NodeEnvironment(string name, bool migrates = false)
    {
        var environment = new Dictionary<string, string>
        {
            ["BULWARK_DATABASE"] = Database.AppConnectionString,
            ["BULWARK_URLS"] = "http://127.0.0.1:0",
            ["BULWARK_DATA_DIR"] = Path.Combine(_root, name),
            ["BULWARK_WORKERS"] = "2",
            ["BULWARK_LEASE_SECONDS"] = "6",
            ["BULWARK_HEARTBEAT_SECONDS"] = "1",
            ["BULWARK_REAPER_SECONDS"] = "1",
            ["BULWARK_POLL_MILLISECONDS"] = "100",
            ["BULWARK_SANDBOX_UID"] = "61000",
            ["BULWARK_SANDBOX_GID"] = "61000",
            ["BULWARK_WORKER_TOKEN"] = WorkerToken,
            ["BULWARK_AUDIT_KEY"] = AuditKeyHex,
        };
        if (migrates)
        {
            environment["BULWARK_DATABASE_OWNER"] = Database.OwnerConnectionString;
        }

        return environment;
    }

    /// <summary>Starts <c>bulwark serve</c> and returns once it listens.</summary>
    public async Task<ServeNode> StartNodeAsync(string name, Action<Dictionary<string, string>>? configure = null, bool migrates = false)
    {
        var environment = NodeEnvironment(name, migrates);
        configure?.Invoke(environment);
        var node = await ServeNode.StartAsync(name, environment);
        _processes.Add(node);
        return node;
    }

    /// <summary>Starts <c>bulwark worker</c> claiming through <paramref name="node"/>'s worker API; its attempts carry <c>remote:{id}</c>.</summary>
    public async Task<BulwarkProcess> StartRemoteWorkerAsync(ServeNode node, string id, int workers = 2)
    {
        var environment = new Dictionary<string, string>
        {
            ["BULWARK_WORKER_TOKEN"] = WorkerToken,
            ["BULWARK_WORKER_ID"] = id,
            ["BULWARK_SANDBOX_UID"] = "61000",
            ["BULWARK_SANDBOX_GID"] = "61000",
            ["BULWARK_LEASE_SECONDS"] = "6",
            ["BULWARK_HEARTBEAT_SECONDS"] = "1",
            ["BULWARK_POLL_MILLISECONDS"] = "100",
        };
        var worker = BulwarkProcess.Start(environment,
            "worker", "--server", node.Http.BaseAddress!.ToString(), "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--data", Path.Combine(_root, "worker-" + id));
        _processes.Add(worker);
        await worker.WaitForLineAsync(new System.Text.RegularExpressions.Regex("Bulwark worker .* claiming from"));
        return worker;
    }

    /// <summary>An operator command (TEN-3) on the shared database, as the application login; the owner login lets it migrate.</summary>
    public Task<CliRun> OperatorAsync(params string[] args) => BulwarkProcess.RunAsync(
        new Dictionary<string, string>
        {
            ["BULWARK_DATABASE"] = Database.AppConnectionString,
            ["BULWARK_DATABASE_OWNER"] = Database.OwnerConnectionString,
            ["BULWARK_DATA_DIR"] = Path.Combine(_root, "operator"),
            ["BULWARK_AUDIT_KEY"] = AuditKeyHex,
        },
        args);

    public async Task<CliRun> OperatorOkAsync(params string[] args)
    {
        var run = await OperatorAsync(args);
        Assert.True(run.ExitCode == 0, $"bulwark {string.Join(' ', args)}: {run}");
        return run;
    }

    /// <summary><c>bulwark keys create</c>; returns the key's id and its plaintext (the last line).</summary>
    public async Task<(string Id, string Key)> CreateKeyAsync(string tenant, string scopes)
    {
        var run = await OperatorOkAsync("keys", "create", "--tenant", tenant, "--scopes", scopes);
        var id = run.StdoutLines.Single(l => l.StartsWith("id: ", StringComparison.Ordinal))["id: ".Length..];
        return (id, run.StdoutLines[^1]);
    }

    /// <summary>A tenant with one key and a template, the independent commands side by side; returns the key.</summary>
    public async Task<string> TenantWithKeyAndTemplateAsync(string tenant, string scopes, string templateYaml)
    {
        await OperatorOkAsync("tenants", "create", tenant);
        var key = CreateKeyAsync(tenant, scopes);
        await Task.WhenAll(key, ApplyTemplateAsync(templateYaml));
        return (await key).Key;
    }

    public async Task ApplyTemplateAsync(string yaml)
    {
        var file = Path.Combine(_root, "template-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, yaml);
        await OperatorOkAsync("templates", "apply", file);
    }

    /// <summary>
    /// Puts jobs straight into the shared store as the application login, the way a node does,
    /// whatever state the tenant is in (no HTTP, so no credential check); returns their ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> EnqueueAsync(string tenantName, string templateKey, int count, int priority)
    {
        await using var store = new PostgresStore(
            new PostgresStoreOptions(Database.AppConnectionString) { AuditKey = Bulwark.Core.Audit.AuditKey.Parse(AuditKeyHex) });
        await store.MigrateAsync(CancellationToken.None);
        var scope = TenantScope.Of((await store.FindTenantByNameAsync(tenantName, CancellationToken.None))!);
        var template = (await store.FindTemplateAsync(scope, templateKey, CancellationToken.None))!;
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var now = DateTimeOffset.UtcNow;
            var job = new NewJob
            {
                Id = JobIds.New(TimeProvider.System),
                Template = template,
                InputsJson = $$"""{"n":{{i}}}""",
                MaxAttempts = 1,
                Priority = priority,
                RunAt = now,
                CreatedAt = now,
                Actor = "test",
            };
            var audit = new AuditEntry { At = now, TenantId = scope.TenantId, Actor = "test", Action = "job.submit", Target = job.Id, Outcome = "success" };
            await store.EnqueueAsync(scope, job, audit, CancellationToken.None);
            ids.Add(job.Id);
        }

        return ids;
    }

    /// <summary>Reads the shared database as its superuser: what the nodes did, beyond any tenant's view.</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(Database.SuperuserConnectionString);
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }

    /// <summary>Polls (bounded) until every listed job is finished; returns their states.</summary>
    public async Task<IReadOnlyList<(string Id, string State)>> WaitUntilFinishedAsync(IReadOnlyCollection<string> jobIds, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            var states = await QueryAsync<(string Id, string State)>(
                "SELECT id, state FROM bulwark.jobs WHERE id = ANY(@ids)", new { ids = jobIds.ToArray() });
            if (states.Count == jobIds.Count && states.All(s => s.State is "succeeded" or "failed" or "cancelled" or "dead"))
            {
                return states;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not every job finished within {bound.TotalSeconds} s: "
                    + string.Join(", ", states.GroupBy(s => s.State).Select(g => $"{g.Key}={g.Count()}")) + Diagnostics());
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Every process's output, for a failure message.</summary>
    public string Diagnostics() => string.Concat(_processes.Select(p => p switch
    {
        ServeNode node => $"\n--- node {node.Name} (pid {node.Process.Pid}):\n{node.Process.Output}",
        BulwarkProcess worker => $"\n--- worker (pid {worker.Pid}):\n{worker.Output}",
        _ => "",
    }));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        await Database.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: run dirs may belong to the sandbox uid.
        }
    }
}
