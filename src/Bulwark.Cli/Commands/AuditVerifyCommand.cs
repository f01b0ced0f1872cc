using System.CommandLine;
using System.Globalization;
using Bulwark.Server.Operations;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark audit verify</c> (AUD-2): recomputes every chain with the audit key. Exit 0 and one
/// summary line when every chain is whole; exit 1 naming the first bad entry (chain, number in the
/// chain, store sequence) after any edit, deletion, insertion or reordering made in the database.
/// </summary>
internal static class AuditVerifyCommand
{
    public static Command Create(CliContext cli)
    {
        var data = CommonOptions.Data();
        var command = new Command("verify", "Recompute every audit chain with BULWARK_AUDIT_KEY: exit 0 when whole, 1 naming the first bad entry.")
        {
            data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var options = ServerOptions.Load(cli, parse.GetValue(data), urls: null);
            var key = AuditSettings.KeyFor(options);
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var verification = await new AuditCommands(session.Store, key, TimeProvider.System).VerifyAsync(ct);
            var unsealed = verification.Unsealed > 0
                ? string.Create(CultureInfo.InvariantCulture, $", {verification.Unsealed} from before the chain (not sealed)")
                : "";
            var counts = string.Create(CultureInfo.InvariantCulture, $"{verification.Entries} entries in {verification.Chains} chains{unsealed}");
            if (verification.FirstBreak is { } bad)
            {
                await cli.Stderr.WriteLineAsync($"Audit chain broken at {bad.Describe()} ({counts}).");
                return CommandGuard.Failed;
            }

            await cli.Stdout.WriteLineAsync($"Audit chain whole: {counts}.");
            return 0;
        }));
        return command;
    }
}
