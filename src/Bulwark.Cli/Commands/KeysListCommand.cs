using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark keys list --tenant NAME</c>. Shows what identifies a key, never its secret or hash.</summary>
internal static class KeysListCommand
{
    public static Command Create(CliContext cli)
    {
        var tenant = CommonOptions.Tenant("The tenant whose keys to list.");
        var data = CommonOptions.Data();
        var command = new Command("list", "List a tenant's API keys: id, name, scopes, created, expires and revoked (never the key itself).")
        {
            tenant, data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var table = new TextTable("ID", "NAME", "SCOPES", "CREATED", "EXPIRES", "REVOKED");
            foreach (var key in await session.Commands.ListKeysAsync(parse.GetRequiredValue(tenant), ct))
            {
                table.Add(key.Id, key.Name, string.Join(',', key.Scopes), Times.Format(key.CreatedAt), Times.Format(key.ExpiresAt), Times.Format(key.RevokedAt));
            }

            table.WriteTo(cli.Stdout);
            return 0;
        }));
        return command;
    }
}
