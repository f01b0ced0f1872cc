using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark tokens revoke --jti ID [--tenant T]</c> · <c>tokens revoke --subject SUB --tenant T</c>
/// (AUTH-5, FLAG-4): written to the store, which every node's revocation cache follows.
/// </summary>
internal static class TokensRevokeCommand
{
    public static Command Create(CliContext cli)
    {
        var jti = new Option<string?>("--jti") { Description = "The token id (jti claim) to revoke.", HelpName = "ID" };
        var subject = new Option<string?>("--subject") { Description = "Revoke every credential of this subject in --tenant.", HelpName = "SUB" };
        var tenant = new Option<string?>("--tenant")
        {
            Description = "The tenant: required with --subject; with --jti, omitted means the jti is refused in every tenant.",
            HelpName = "NAME",
        };
        var reason = new Option<string?>("--reason") { Description = "Why, for the audit trail.", HelpName = "TEXT" };
        var data = CommonOptions.Data();
        var command = new Command("revoke", "Revoke a token by its jti, or every credential of a subject; every node refuses it within seconds.")
        {
            jti, subject, tenant, reason, data,
        };
        command.Validators.Add(result =>
        {
            var hasJti = result.GetValue(jti) is not null;
            var hasSubject = result.GetValue(subject) is not null;
            if (hasJti == hasSubject)
            {
                result.AddError("Name exactly one of --jti or --subject.");
            }
            else if (hasSubject && result.GetValue(tenant) is null)
            {
                result.AddError("--subject needs --tenant.");
            }
        });
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var tenantName = parse.GetValue(tenant);
            if (parse.GetValue(jti) is { } id)
            {
                await session.Commands.RevokeTokenAsync(id, tenantName, parse.GetValue(reason), ct);
                await cli.Stdout.WriteLineAsync(tenantName is null
                    ? $"Revoked token {id} in every tenant."
                    : $"Revoked token {id} in tenant {tenantName}.");
            }
            else
            {
                var sub = parse.GetValue(subject)!;
                await session.Commands.RevokeSubjectAsync(sub, tenantName!, parse.GetValue(reason), ct);
                await cli.Stdout.WriteLineAsync($"Revoked every credential of {sub} in tenant {tenantName}.");
            }

            return 0;
        }));
        return command;
    }
}
