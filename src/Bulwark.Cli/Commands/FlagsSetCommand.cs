using System.CommandLine;
using Bulwark.Server.Flags;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark flags set NAME on|off [--tenant NAME]</c> (FLAG-2): the store's node-wide value, or one
/// tenant's own. Every node follows within its refresh period; configuration still wins when stricter.
/// </summary>
internal static class FlagsSetCommand
{
    public static Command Create(CliContext cli)
    {
        var name = new Argument<string>("NAME") { Description = "The flag's name, as `bulwark flags` lists it." };
        var value = new Argument<string>("VALUE") { Description = "on or off." };
        var tenant = new Option<string?>("--tenant")
        {
            Description = "Set the value of this tenant only (default: node-wide, every tenant).",
            HelpName = "NAME",
        };
        var data = CommonOptions.Data();
        var command = new Command("set", "Set a flag's value in the store, node-wide or for one tenant; audited.")
        {
            name, value, tenant, data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var on = parse.GetRequiredValue(value) switch
            {
                "on" => true,
                "off" => false,
                var other => throw new CliFailure($"A flag is set 'on' or 'off', not '{other}'."),
            };
            // Refused before the store is opened: an unknown name writes nothing anywhere.
            var flag = FlagAudit.Require(parse.GetRequiredValue(name));
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var change = await new FlagCommands(session.Store, TimeProvider.System).SetAsync(flag.Name, on, parse.GetValue(tenant), ct);
            await cli.Stderr.WriteLineAsync(change.SecurityLine);
            var scope = change.TenantName is null ? "node-wide" : $"for tenant {change.TenantName}";
            await cli.Stdout.WriteLineAsync(
                $"Set {change.Flag.Name} {FlagsCommand.Word(change.New)} {scope} (was {(change.Old is null ? "not set" : FlagsCommand.Word(change.Old))}).");
            if (on != change.Flag.SafeValue)
            {
                await cli.Stdout.WriteLineAsync(
                    $"The store only restricts: {change.Flag.Name} is {FlagsCommand.Word(on)} only where configuration ({change.Flag.Setting}) says so too.");
            }

            return 0;
        }));
        return command;
    }
}
