using System.CommandLine;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Tokens;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark tokens policy</c>: mints a policy token (AUTHZ-3) from <c>BULWARK_POLICY_TOKEN_SECRET</c>,
/// the secret the servers verify with, so it needs no server and no store: whoever holds the
/// secret can mint, which is why the secret is an operator's and at least 32 characters.
/// </summary>
internal static class TokensPolicyCommand
{
    public const string SecretVariable = "BULWARK_POLICY_TOKEN_SECRET";

    public static Command Create(CliContext cli)
    {
        var tenant = CommonOptions.Tenant("The tenant (its name) the token is valid in.");
        var actor = new Option<string>("--actor") { Description = "Who the token is issued to (recorded in the audit log).", HelpName = "NAME", Required = true };
        var action = new Option<string>("--action") { Description = "The action template key the token authorises.", HelpName = "TEMPLATE", Required = true };
        var scopes = new Option<string>("--scopes")
        {
            Description = "Comma-separated scopes the token carries; they must cover the template's required_scope.",
            HelpName = "a,b",
            Required = true,
        };
        var ttl = new Option<TimeSpan?>("--ttl")
        {
            Description = $"Lifetime of the token: {Durations.Examples} (default 1h, at most 24h).",
            HelpName = "DURATION",
            CustomParser = Durations.Parse,
        };
        var command = new Command(
            "policy",
            $"Mint a policy token for an action template from {SecretVariable} and print it alone on the last line of stdout.")
        {
            tenant, actor, action, scopes, ttl,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var secret = cli.Variable(SecretVariable)
                ?? throw new CliFailure($"{SecretVariable} is not set; it must hold the servers' policy token secret.");
            if (!PolicyTokenSecrets.IsStrong(secret))
            {
                throw new CliFailure($"{SecretVariable} must be at least {PolicyToken.MinSecretLength} characters.");
            }

            var tenantName = Identifiers.Require(parse.GetRequiredValue(tenant), "tenant");
            var template = Identifiers.Require(parse.GetRequiredValue(action), "action");
            var who = parse.GetRequiredValue(actor).Trim();
            if (who.Length is 0 or > PolicyToken.MaxNameLength || who.Any(char.IsControl))
            {
                throw new CliFailure($"The actor must be 1 to {PolicyToken.MaxNameLength} printable characters.");
            }

            var granted = parse.GetRequiredValue(scopes)
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (granted.Length > PolicyToken.MaxScopes || granted.Any(s => !Scopes.IsWellFormed(s)))
            {
                throw new CliFailure($"The scopes must be at most {PolicyToken.MaxScopes} of the form family:name (or '*').");
            }

            var lifetime = parse.GetValue(ttl) ?? PolicyToken.DefaultTtl;
            if (lifetime > PolicyToken.MaxTtl)
            {
                throw new CliFailure($"A policy token lives at most {PolicyToken.MaxTtl.TotalHours:0}h.");
            }

            var claims = PolicyToken.NewClaims(tenantName, who, template, granted, DateTimeOffset.UtcNow, lifetime);
            var token = PolicyToken.Mint(new PolicyTokenSecrets(secret), claims);
            await cli.Stdout.WriteLineAsync($"tenant: {claims.Tenant}");
            await cli.Stdout.WriteLineAsync($"actor: {claims.Actor}");
            await cli.Stdout.WriteLineAsync($"action: {claims.Action}");
            await cli.Stdout.WriteLineAsync($"scopes: {string.Join(',', claims.Scopes)}");
            await cli.Stdout.WriteLineAsync($"id: {claims.TokenId}");
            await cli.Stdout.WriteLineAsync($"expires: {Times.Format(claims.ExpiresAt)}");
            // Last and alone, so `bulwark tokens policy … | tail -n 1` captures exactly the token.
            await cli.Stdout.WriteLineAsync(token);
            return 0;
        }));
        return command;
    }
}
