using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark audit …</c>: verify and export the audit chain (AUD-2, FLAG-4).</summary>
internal static class AuditCommand
{
    public static Command Create(CliContext cli) => new("audit", "Verify the audit hash chain, or export audit entries as JSON lines, straight against the store (operator commands, each audited).")
    {
        AuditVerifyCommand.Create(cli),
        AuditExportCommand.Create(cli),
    };
}
