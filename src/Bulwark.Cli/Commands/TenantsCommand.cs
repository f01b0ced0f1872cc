using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark tenants …</c>: the operator's tenant commands.</summary>
internal static class TenantsCommand
{
    public static Command Create(CliContext cli) => new("tenants", "Create and list tenants, straight against the store (operator commands, each audited).")
    {
        TenantsCreateCommand.Create(cli),
        TenantsListCommand.Create(cli),
    };
}
