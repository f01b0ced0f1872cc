using System.CommandLine;
using Bulwark.Server.Flags;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark flags off-all</c> (FLAG-4, the emergency switch): every flag to its safe value
/// node-wide — features off, guards on — on every node within its refresh period. Prints what changed.
/// </summary>
internal static class FlagsOffAllCommand
{
    public static Command Create(CliContext cli)
    {
        var data = CommonOptions.Data();
        var command = new Command("off-all", "Emergency switch: turn every feature off and every guard on, node-wide, in the store; audited.")
        {
            data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var changes = await new FlagCommands(session.Store, TimeProvider.System).OffAllAsync(ct);
            foreach (var change in changes)
            {
                await cli.Stderr.WriteLineAsync(change.SecurityLine);
                await cli.Stdout.WriteLineAsync(
                    $"{change.Flag.Name}: {FlagsCommand.Word(change.Old)} -> {FlagsCommand.Word(change.New)}");
            }

            await cli.Stdout.WriteLineAsync(changes.Count == 0
                ? "Nothing to change: every flag already has its safe value in the store."
                : $"Set {changes.Count} flag(s) to their safe value node-wide; every node follows within its refresh period.");
            return 0;
        }));
        return command;
    }
}
