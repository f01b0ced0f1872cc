using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark templates …</c>: job templates (JOB-1), straight against the store.</summary>
internal static class TemplatesCommand
{
    public static Command Create(CliContext cli) => new("templates", "Register and list job templates (operator commands, each audited).")
    {
        TemplatesApplyCommand.Create(cli),
        TemplatesListCommand.Create(cli),
    };
}
