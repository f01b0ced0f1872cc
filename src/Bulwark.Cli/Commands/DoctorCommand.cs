using System.CommandLine;
using Bulwark.Cli.Doctor;
using Bulwark.Server.Hosting;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark doctor</c> (FLAG-3, seed 000's smoke test): the configuration the server would run
/// with, checked line by line (<c>ok</c>, <c>warn</c>, <c>FAIL</c>), every flag as a node sees it,
/// and last exactly <c>safe to deploy</c> (exit 0) or <c>NOT safe to deploy: names</c> (exit 1).
/// A bad setting is a FAIL line, not a crash; no line holds a secret's value.
/// </summary>
internal static class DoctorCommand
{
    public const string Safe = "safe to deploy";

    public static Command Create(CliContext cli)
    {
        var data = CommonOptions.Data();
        var urls = new Option<string?>("--urls")
        {
            Description = "Check these listen addresses instead of BULWARK_URLS, as serve --urls would use them.",
            HelpName = "URL",
        };
        var command = new Command(
            "doctor",
            "Check the configuration bulwark serve would use and print whether it is safe to deploy: every check, "
            + "every flag (configured, store, effective), then 'safe to deploy' (exit 0) or 'NOT safe to deploy: …' (exit 1).")
        {
            data, urls,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            BulwarkOptions options;
            try
            {
                options = BulwarkConfiguration.Bind(cli.Environment);
            }
            catch (BulwarkSettingsException e)
            {
                // Nothing else can be checked without the settings; the verdict still comes last.
                return await VerdictAsync(cli, [DoctorCheck.Fail("configuration", e.Message)], flags: null);
            }

            // The command line beats the environment, as for serve.
            options.DataDir = parse.GetValue(data) is { Length: > 0 } dir ? dir : options.DataDir;
            options.Urls = parse.GetValue(urls) is { Length: > 0 } given ? given : options.Urls;

            var configuration = ConfigurationChecks.Configuration(options);
            await using var store = await StoreCheck.OpenAsync(options, ct);
            var flags = new FlagValues(options, store.Flags);
            List<DoctorCheck> checks =
            [
                configuration,
                ConfigurationChecks.AuthMode(options),
                ConfigurationChecks.Secrets(options, flags),
                ConfigurationChecks.PolicyTokens(flags),
                ConfigurationChecks.SecurityValidation(flags),
                SandboxCheck.Run(options),
                ConfigurationChecks.Tls(options, TimeProvider.System.GetUtcNow()),
                ConfigurationChecks.Cors(options),
                ConfigurationChecks.TrustedProxies(options),
                store.Check,
                ConfigurationChecks.EgressLoopback(options),
                ConfigurationChecks.Environment(options),
            ];
            await store.RecordAsync(Failed(checks), ct);
            return await VerdictAsync(cli, checks, flags);
        }));
        return command;
    }

    private static List<string> Failed(IEnumerable<DoctorCheck> checks) =>
        checks.Where(c => c.Status == CheckStatus.Fail).Select(c => c.Name).ToList();

    private static async Task<int> VerdictAsync(CliContext cli, IReadOnlyList<DoctorCheck> checks, FlagValues? flags)
    {
        foreach (var check in checks)
        {
            await cli.Stdout.WriteLineAsync(check.Line);
        }

        if (flags is not null)
        {
            await cli.Stdout.WriteLineAsync();
            flags.WriteTo(cli.Stdout);
            await cli.Stdout.WriteLineAsync();
        }

        var failed = Failed(checks);
        if (failed.Count == 0)
        {
            await cli.Stdout.WriteLineAsync(Safe);
            return 0;
        }

        await cli.Stdout.WriteLineAsync($"NOT {Safe}: {string.Join(", ", failed)}");
        return CommandGuard.Failed;
    }
}
