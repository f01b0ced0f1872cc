using System.CommandLine;
using System.Globalization;
using Bulwark.Server.Operations;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark audit export --from T --to T [--tenant NAME]</c> (FLAG-4): the entries written in the
/// window, one JSON object per line on stdout, every field including the chain's hashes.
/// </summary>
internal static class AuditExportCommand
{
    public static Command Create(CliContext cli)
    {
        var from = new Option<string>("--from") { Description = "Start of the window, RFC 3339 (inclusive).", HelpName = "TIME", Required = true };
        var to = new Option<string>("--to") { Description = "End of the window, RFC 3339 (exclusive).", HelpName = "TIME", Required = true };
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's chain.", HelpName = "NAME" };
        var data = CommonOptions.Data();
        var command = new Command("export", "Write the audit entries of a time window as JSON lines to stdout (every field, hashes included).")
        {
            from, to, tenant, data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var start = Time(parse.GetRequiredValue(from), "--from");
            var end = Time(parse.GetRequiredValue(to), "--to");
            var options = ServerOptions.Load(cli, parse.GetValue(data), urls: null);
            var key = AuditSettings.KeyFor(options);
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var commands = new AuditCommands(session.Store, key, TimeProvider.System);
            await foreach (var entry in commands.ExportAsync(start, end, parse.GetValue(tenant), ct))
            {
                await cli.Stdout.WriteLineAsync(AuditExportLine.Of(entry).ToJsonLine());
            }

            return 0;
        }));
        return command;
    }

    private static DateTimeOffset Time(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw new CliFailure($"{option} must be an RFC 3339 time, e.g. 2026-03-01T00:00:00Z.");
}
