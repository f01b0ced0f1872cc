using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark tenants suspend NAME</c> (TEN-4, FLAG-4).</summary>
internal static class TenantsSuspendCommand
{
    public static Command Create(CliContext cli)
    {
        var name = new Argument<string>("NAME") { Description = "The tenant's name." };
        var data = CommonOptions.Data();
        var command = new Command("suspend", "Suspend a tenant: every credential of it is refused on every node within seconds, and its jobs stay queued until resumed.")
        {
            name, data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var tenant = parse.GetRequiredValue(name);
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            await session.Commands.SuspendTenantAsync(tenant, ct);
            await cli.Stdout.WriteLineAsync($"Suspended tenant {tenant}.");
            return 0;
        }));
        return command;
    }
}
