using System.CommandLine;
using Bulwark.Core.Templates;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark templates list --tenant NAME</c>.</summary>
internal static class TemplatesListCommand
{
    public static Command Create(CliContext cli)
    {
        var tenant = CommonOptions.Tenant("The tenant whose view to list: its own templates and the global ones.");
        var data = CommonOptions.Data();
        var command = new Command("list", "List the newest version of every template a tenant can use: key, version, kind, owner and creation time.")
        {
            tenant, data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var tenantName = parse.GetRequiredValue(tenant);
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var table = new TextTable("KEY", "VERSION", "KIND", "OWNER", "CREATED");
            foreach (var template in await session.Commands.ListTemplatesAsync(tenantName, ct))
            {
                table.Add(
                    template.Key,
                    template.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    template.Definition.Kind switch
                    {
                        TemplateKind.Script => "script",
                        TemplateKind.Http => "http",
                        var other => other.ToString(),
                    },
                    template.TenantId is null ? "(global)" : tenantName,
                    Times.Format(template.CreatedAt));
            }

            table.WriteTo(cli.Stdout);
            return 0;
        }));
        return command;
    }
}
