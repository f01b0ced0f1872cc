using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark keys …</c>: API keys (AUTH-2), straight against the store.</summary>
internal static class KeysCommand
{
    public static Command Create(CliContext cli) => new("keys", "Create, list and revoke a tenant's API keys (operator commands, each audited).")
    {
        KeysCreateCommand.Create(cli),
        KeysListCommand.Create(cli),
        KeysRevokeCommand.Create(cli),
    };
}
