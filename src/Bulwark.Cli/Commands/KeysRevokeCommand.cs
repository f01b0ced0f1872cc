using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark keys revoke ID</c>.</summary>
internal static class KeysRevokeCommand
{
    public static Command Create(CliContext cli)
    {
        var id = new Argument<string>("ID") { Description = "The key's id (key_…), as `keys list` shows it." };
        var data = CommonOptions.Data();
        var command = new Command("revoke", "Revoke an API key: every later request with it is refused.") { id, data };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var keyId = parse.GetRequiredValue(id);
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            await session.Commands.RevokeKeyAsync(keyId, ct);
            await cli.Stdout.WriteLineAsync($"Revoked key {keyId}.");
            return 0;
        }));
        return command;
    }
}
