using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark tenants create NAME</c>.</summary>
internal static class TenantsCreateCommand
{
    public static Command Create(CliContext cli)
    {
        var name = new Argument<string>("NAME") { Description = "The tenant's name, matching ^[a-zA-Z0-9_.:-]{1,100}$." };
        var data = CommonOptions.Data();
        var command = new Command("create", "Create a tenant and print its id and name. A taken name is refused.") { name, data };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var tenant = await session.Commands.CreateTenantAsync(parse.GetRequiredValue(name), ct);
            await cli.Stdout.WriteLineAsync($"id: {tenant.Id}");
            await cli.Stdout.WriteLineAsync($"name: {tenant.Name}");
            return 0;
        }));
        return command;
    }
}
