using System.CommandLine;
using Bulwark.Core.Errors;
using Bulwark.Core.Templates;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark templates apply FILE…</c>. Every file is read and validated (its tenant included)
/// before the first is stored, so a batch with one bad file changes nothing.
/// </summary>
internal static class TemplatesApplyCommand
{
    public static Command Create(CliContext cli)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Template files, JSON or YAML (see API.md, Templates).",
            Arity = ArgumentArity.OneOrMore,
        };
        var data = CommonOptions.Data();
        var command = new Command(
            "apply",
            "Register templates from JSON or YAML files, each as a new version; prints key@version per file. "
            + "All files are checked first: if any is bad, none is applied.")
        {
            files, data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var paths = parse.GetRequiredValue(files);
            var texts = new List<string>(paths.Length);
            var definitions = new List<TemplateDefinition>(paths.Length);
            foreach (var path in paths)
            {
                var text = await ReadAsync(path, ct);
                texts.Add(text);
                definitions.Add(Parse(path, text));
            }

            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            for (var i = 0; i < paths.Length; i++)
            {
                if (definitions[i].Tenant is { } tenant && await session.Store.FindTenantByNameAsync(tenant, ct) is null)
                {
                    throw new CliFailure($"{paths[i]} names tenant '{tenant}', which does not exist; no template was applied.");
                }
            }

            for (var i = 0; i < paths.Length; i++)
            {
                var template = await session.Commands.ApplyTemplateAsync(texts[i], ct);
                await cli.Stdout.WriteLineAsync($"{template.Key}@{template.Version}");
            }

            return 0;
        }));
        return command;
    }

    private static async Task<string> ReadAsync(string path, CancellationToken ct)
    {
        try
        {
            return await File.ReadAllTextAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure($"Could not read {path}: {e.Message.TrimEnd('.')}; no template was applied.");
        }
    }

    private static TemplateDefinition Parse(string path, string text)
    {
        try
        {
            return TemplateFile.Parse(text);
        }
        catch (InvalidPayloadException e)
        {
            throw new CliFailure($"{path} is not a valid template: {e.Message.TrimEnd('.')}; no template was applied.");
        }
    }
}
