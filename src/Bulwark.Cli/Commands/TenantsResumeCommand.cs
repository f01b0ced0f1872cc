using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark tenants resume NAME</c> (TEN-4).</summary>
internal static class TenantsResumeCommand
{
    public static Command Create(CliContext cli)
    {
        var name = new Argument<string>("NAME") { Description = "The tenant's name." };
        var data = CommonOptions.Data();
        var command = new Command("resume", "Resume a suspended tenant: its credentials work again and its queued jobs run.") { name, data };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var tenant = parse.GetRequiredValue(name);
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            await session.Commands.ResumeTenantAsync(tenant, ct);
            await cli.Stdout.WriteLineAsync($"Resumed tenant {tenant}.");
            return 0;
        }));
        return command;
    }
}
