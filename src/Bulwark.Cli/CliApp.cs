using System.CommandLine;
using System.CommandLine.Help;
using Bulwark.Cli.Commands;

namespace Bulwark.Cli;

/// <summary>
/// The whole <c>bulwark</c> program behind one call, so tests run it in-process with their own
/// writers and environment. Exit codes: 0 success, 1 failure (one sentence on stderr),
/// 2 usage error (System.CommandLine's message on stderr).
/// </summary>
public static class CliApp
{
    public const int UsageError = 2;

    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var cli = new CliContext(stdout, stderr, environment);
        var root = new RootCommand("Bulwark: a secure multi-tenant job execution plane. Run a command with --help for its options.")
        {
            ServeCommand.Create(cli),
            WorkerCommand.Create(cli),
            TenantsCommand.Create(cli),
            KeysCommand.Create(cli),
            TemplatesCommand.Create(cli),
            SubmitCommand.Create(cli),
            TokensCommand.Create(cli),
            AuditCommand.Create(cli),
            ReplayCommand.Create(cli),
            FlagsCommand.Create(cli),
            DoctorCommand.Create(cli),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            await stderr.WriteLineAsync(string.Join(' ', parse.Errors.Select(e => e.Message)));
            return UsageError;
        }

        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // CommandGuard turns every failure into one sentence; no stack trace may reach the user.
            EnableDefaultExceptionHandler = false,
            // `serve` handles SIGINT/SIGTERM itself (ShutdownSignal) so a graceful stop is never cut
            // short by System.CommandLine's fixed termination timeout.
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(invocation, ct);
    }
}
