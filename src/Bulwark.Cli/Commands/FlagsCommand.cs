using System.CommandLine;
using Bulwark.Server.Flags;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark flags</c> (FLAG-1, FLAG-2): every flag with its configured, stored and effective value,
/// straight from the store; <c>set</c> and <c>off-all</c> change the store's values (operator commands, audited).
/// </summary>
internal static class FlagsCommand
{
    public const string ConfiguredFooter =
        "CONFIGURED is this shell's environment (BULWARK_*), not necessarily a running server's; "
        + "STORE is shared by every node (- = not set); the stricter of the two is EFFECTIVE, so the store can only turn features off.";

    public static Command Create(CliContext cli)
    {
        var data = CommonOptions.Data();
        var command = new Command("flags", "Show every feature flag: configured, stored (shared by every node) and effective value.")
        {
            data,
            FlagsSetCommand.Create(cli),
            FlagsOffAllCommand.Create(cli),
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var options = ServerOptions.Load(cli, parse.GetValue(data), urls: null);
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var table = new TextTable("NAME", "CONFIGURED", "STORE", "EFFECTIVE", "SETTING");
            foreach (var report in await new FlagCommands(session.Store, TimeProvider.System).ListAsync(options, ct))
            {
                table.Add(report.Flag.Name, Word(report.Configured), Word(report.Node), Word(report.Effective), report.Flag.Setting);
            }

            table.WriteTo(cli.Stdout);
            await cli.Stdout.WriteLineAsync(ConfiguredFooter);
            return 0;
        }));
        return command;
    }

    public static string Word(bool? on) => on switch
    {
        true => "on",
        false => "off",
        null => "-",
    };
}
