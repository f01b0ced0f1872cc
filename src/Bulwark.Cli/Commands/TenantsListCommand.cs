using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark tenants list</c>.</summary>
internal static class TenantsListCommand
{
    public static Command Create(CliContext cli)
    {
        var data = CommonOptions.Data();
        var command = new Command("list", "List every tenant: name, id and creation time.") { data };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var table = new TextTable("NAME", "ID", "CREATED");
            foreach (var tenant in await session.Commands.ListTenantsAsync(ct))
            {
                table.Add(tenant.Name, tenant.Id, Times.Format(tenant.CreatedAt));
            }

            table.WriteTo(cli.Stdout);
            return 0;
        }));
        return command;
    }
}
