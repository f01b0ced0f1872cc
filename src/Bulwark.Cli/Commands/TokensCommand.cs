using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark tokens …</c>: policy tokens (AUTHZ-3) and revocations (AUTH-5).</summary>
internal static class TokensCommand
{
    public static Command Create(CliContext cli) => new("tokens", "Mint policy tokens for action templates; revoke tokens and subjects.")
    {
        TokensRevokeCommand.Create(cli),
        TokensPolicyCommand.Create(cli),
    };
}
