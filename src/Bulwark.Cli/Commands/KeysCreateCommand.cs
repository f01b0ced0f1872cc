using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark keys create</c>: the one moment a key's plaintext exists outside its holder (AUTH-2).</summary>
internal static class KeysCreateCommand
{
    public static Command Create(CliContext cli)
    {
        var tenant = CommonOptions.Tenant("The tenant the key acts for.");
        var scopes = new Option<string>("--scopes")
        {
            Description = "Comma-separated scopes the key grants, e.g. jobs:read,jobs:write,demo:run ('*' grants all).",
            HelpName = "a,b",
            Required = true,
        };
        var expires = new Option<TimeSpan?>("--expires")
        {
            Description = $"Lifetime of the key: {Durations.Examples} (default: no expiry).",
            HelpName = "DURATION",
            CustomParser = Durations.Parse,
        };
        var name = new Option<string?>("--name") { Description = "A label to recognise the key by (default: its id).", HelpName = "TEXT" };
        var data = CommonOptions.Data();
        var command = new Command(
            "create",
            "Create an API key and print it once, alone on the last line of stdout. Only its hash is stored: copy it now.")
        {
            tenant, scopes, expires, name, data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var granted = parse.GetRequiredValue(scopes)
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var (key, plaintext) = await session.Commands.CreateKeyAsync(
                parse.GetRequiredValue(tenant), granted, parse.GetValue(expires), parse.GetValue(name), ct);
            await cli.Stdout.WriteLineAsync($"id: {key.Id}");
            await cli.Stdout.WriteLineAsync($"tenant: {parse.GetRequiredValue(tenant)}");
            await cli.Stdout.WriteLineAsync($"name: {key.Name}");
            await cli.Stdout.WriteLineAsync($"scopes: {string.Join(',', key.Scopes)}");
            await cli.Stdout.WriteLineAsync($"expires: {(key.ExpiresAt is null ? "never" : Times.Format(key.ExpiresAt))}");
            // Last and alone, so `bulwark keys create … | tail -n 1` captures exactly the key.
            await cli.Stdout.WriteLineAsync(plaintext);
            return 0;
        }));
        return command;
    }
}
