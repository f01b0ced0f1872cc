using System.CommandLine;
using System.Globalization;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark tenants purge NAME --yes</c> (TEN-4, right to deletion): deletes every row of the
/// tenant in every table, its audit chain included, and records the purge (counts only) on the
/// system audit chain. Without <c>--yes</c> it refuses and touches nothing.
/// </summary>
internal static class TenantsPurgeCommand
{
    public static Command Create(CliContext cli)
    {
        var name = new Argument<string>("NAME") { Description = "The tenant's name." };
        var yes = new Option<bool>("--yes") { Description = "Confirm: the tenant's data is deleted for good." };
        var data = CommonOptions.Data();
        var command = new Command("purge", "Delete a tenant and every row of it (jobs, logs, variables, keys, users, templates, audit chain); the purge itself is audited.")
        {
            name, yes, data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var tenant = parse.GetRequiredValue(name);
            if (!parse.GetValue(yes))
            {
                throw new CliFailure($"Purging tenant '{tenant}' deletes all of its data for good; run it again with --yes to confirm.");
            }

            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var purge = await session.Commands.PurgeTenantAsync(tenant, ct);
            await cli.Stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Purged tenant {tenant} ({purge.TenantId}): {purge.TotalRows} rows deleted."));
            return 0;
        }));
        return command;
    }
}
