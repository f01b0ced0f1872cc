using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark tenants …</c>: the operator's tenant commands.</summary>
internal static class TenantsCommand
{
    public static Command Create(CliContext cli) => new("tenants", "Create, list, suspend, resume and purge tenants, straight against the store (operator commands, each audited).")
    {
        TenantsCreateCommand.Create(cli),
        TenantsListCommand.Create(cli),
        TenantsSuspendCommand.Create(cli),
        TenantsResumeCommand.Create(cli),
        TenantsPurgeCommand.Create(cli),
    };
}
