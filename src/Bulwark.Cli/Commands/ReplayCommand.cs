using System.CommandLine;
using Bulwark.Core.Manifests;
using Bulwark.Server.Manifests;
using Bulwark.Server.Operations;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark replay JOB [--dry-run]</c> (JOB-11, operator): runs a finished job again from its replay
/// bundle — the same template version and inputs — as a new job of its tenant, straight against the
/// store like every operator command. Needs <c>replay_bundles</c> on (configuration and store).
/// Prints what runs; a real replay prints the new job's id alone on its last line.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(CliContext cli)
    {
        var job = new Argument<string>("JOB") { Description = "The id of the finished job to replay." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would run and audit it; create nothing." };
        var data = CommonOptions.Data();
        var command = new Command("replay", "Run a finished job again from its replay bundle: the same template version and inputs, secrets resolved afresh.")
        {
            job, dryRun, data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var options = ServerOptions.Load(cli, parse.GetValue(data), urls: null);
            await using var store = await StoreFactory.OpenAsync(options, ct);
            var manifests = store as IManifestStore ?? throw new CliFailure("This store keeps no replay bundles.");
            var flags = await OperatorFlags.ReadAsync(options, store, ct);
            var replay = await new Replayer(store, manifests, flags, TimeProvider.System)
                .ReplayAsync(parse.GetRequiredValue(job), parse.GetValue(dryRun), ct);

            await cli.Stdout.WriteLineAsync($"{(replay.DryRun ? "Would replay" : "Replaying")} job {replay.ReplayOf} of tenant {replay.TenantName}");
            await cli.Stdout.WriteLineAsync($"template: {replay.TemplateKey}@{replay.TemplateVersion}");
            await cli.Stdout.WriteLineAsync($"inputs sha256: {replay.InputsSha256}");
            await cli.Stdout.WriteLineAsync($"secrets: {(replay.SecretNames.Count == 0 ? "(none)" : string.Join(", ", replay.SecretNames))}");
            if (replay.NewJobId is { } id)
            {
                await cli.Stdout.WriteLineAsync(id);
            }
            else
            {
                await cli.Stdout.WriteLineAsync("Dry run: nothing was enqueued.");
            }

            return 0;
        }));
        return command;
    }
}
