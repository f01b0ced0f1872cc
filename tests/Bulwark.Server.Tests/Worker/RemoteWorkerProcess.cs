using Bulwark.Cli;
using Bulwark.Server.Tests.Cli;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Worker;

/// <summary><c>bulwark worker</c> run in-process against a test server; stopping it is the SIGTERM of a real one.</summary>
internal sealed class RemoteWorkerProcess : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "bulwark-remote-" + Guid.NewGuid().ToString("N"));

    private RemoteWorkerProcess(ServerFixture server, string token)
    {
        var environment = new Dictionary<string, string?>
        {
            ["BULWARK_WORKER_TOKEN"] = token,
            ["BULWARK_WORKER_ID"] = "remote-test",
            // The same unprivileged uid as the server suite's jobs (see ServerFixture).
            ["BULWARK_SANDBOX_UID"] = "61000",
            ["BULWARK_SANDBOX_GID"] = "61000",
            ["BULWARK_LEASE_SECONDS"] = "6",
            ["BULWARK_HEARTBEAT_SECONDS"] = "1",
            ["BULWARK_POLL_MILLISECONDS"] = "100",
        };
        Completion = Task.Run(async () =>
        {
            var code = await CliApp.RunAsync(
                ["worker", "--server", server.Http.BaseAddress!.ToString(), "--workers", "2", "--data", _dataDir],
                _stdout, _stderr, environment, _stop.Token);
            return new CliRun(code, _stdout.ToString(), _stderr.ToString());
        });
    }

    public Task<CliRun> Completion { get; }

    public string Output => $"\nworker stdout:\n{_stdout}\nworker stderr:\n{_stderr}";

    public static RemoteWorkerProcess Start(ServerFixture server, string token = WorkerCalls.Token) => new(server, token);

    public async Task<CliRun> StopAsync()
    {
        await _stop.CancelAsync();
        return await Completion.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!Completion.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp dir.
        }
        catch (UnauthorizedAccessException)
        {
            // Run dirs may belong to the sandbox uid.
        }
    }
}
