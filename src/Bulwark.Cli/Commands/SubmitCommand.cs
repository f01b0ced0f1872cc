using System.CommandLine;
using Bulwark.Client;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark submit TEMPLATE</c>: a job through the HTTP API, as any tenant user would submit it.</summary>
internal static class SubmitCommand
{
    public static Command Create(CliContext cli)
    {
        var template = new Argument<string>("TEMPLATE") { Description = "The template's key, e.g. demo.echo." };
        var input = new Option<string[]>("--input")
        {
            Description = "An input as key=value; repeat for more. " + InputValues.Rule,
            HelpName = "key=value",
        };
        input.Validators.Add(InputValues.ValidatePairs);
        var inputsJson = new Option<string?>("--inputs-json")
        {
            Description = "All inputs as one JSON object; --input values are set on top of it.",
            HelpName = "JSON",
        };
        inputsJson.Validators.Add(InputValues.ValidateJson);
        var wait = new Option<bool>("--wait")
        {
            Description = "Print the job's log lines as they are written until it ends, then exit 0 if it succeeded, 1 otherwise.",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check inputs, scopes and policy; create nothing." };
        var priority = new Option<int?>("--priority") { Description = "Higher runs first (default 0).", HelpName = "N" };
        var idempotencyKey = new Option<string?>("--idempotency-key")
        {
            Description = "Submitting again with the same key returns the first job instead of a new one.",
            HelpName = "KEY",
        };
        var maxAttempts = new Option<int?>("--max-attempts") { Description = "Attempts before the job is dead (default: the template's).", HelpName = "N" };
        var command = new Command(
            "submit",
            "Submit a job through the HTTP API at BULWARK_URL (default " + CliContext.DefaultServerUrl + ") with the API key in "
            + "BULWARK_API_KEY, and print the job's id and state.")
        {
            template, input, inputsJson, wait, dryRun, priority, idempotencyKey, maxAttempts,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var client = Connect(cli);
            var request = new SubmitJobRequest
            {
                Template = parse.GetRequiredValue(template),
                Inputs = InputValues.Build(parse.GetValue(inputsJson), parse.GetValue(input)),
                IdempotencyKey = parse.GetValue(idempotencyKey),
                Priority = parse.GetValue(priority),
                MaxAttempts = parse.GetValue(maxAttempts),
                DryRun = parse.GetValue(dryRun) ? true : null,
            };
            var submitted = await client.SubmitJobAsync(request, ct);
            if (submitted.Job is not { } job)
            {
                await cli.Stdout.WriteLineAsync($"Dry run passed; nothing was created: {submitted.Body.GetRawText()}");
                return 0;
            }

            var note = submitted.Outcome == SubmitOutcome.Existing ? " (existing job for this idempotency key)" : "";
            await cli.Stdout.WriteLineAsync($"{job.Id} {job.State}{note}");
            if (!parse.GetValue(wait))
            {
                return 0;
            }

            var ended = await new JobLogFollower(client, cli.Stdout).FollowAsync(job.Id, ct);
            if (ended.State == "succeeded")
            {
                return 0;
            }

            var reason = string.IsNullOrWhiteSpace(ended.Error) ? "" : $": {ended.Error}";
            await cli.Stderr.WriteLineAsync($"Job {ended.Id} ended {ended.State}{reason}");
            return CommandGuard.Failed;
        }));
        return command;
    }

    private static BulwarkClient Connect(CliContext cli)
    {
        var apiKey = cli.Variable("BULWARK_API_KEY")
            ?? throw new CliFailure("Set BULWARK_API_KEY to an API key (bulwark keys create prints one).");
        if (!Uri.TryCreate(cli.ServerUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new CliFailure($"BULWARK_URL '{cli.ServerUrl}' is not an http or https address.");
        }

        return BulwarkClient.Create(url, apiKey);
    }
}
