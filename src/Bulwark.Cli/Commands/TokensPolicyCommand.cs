using System.CommandLine;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Tokens;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark tokens policy</c>: mints a policy token (AUTHZ-3) from <c>BULWARK_POLICY_TOKEN_SECRET</c>,
/// the secret the servers verify with (read and validated as <c>bulwark serve</c> reads it). Like
/// every operator command it goes to the store: the tenant must exist, and the issue is audited
/// (<c>policy_token.issue</c>, actor <c>operator</c>, never the token), counting toward the
/// tenant's hourly issue budget that <c>POST /v1/policy-tokens</c> enforces.
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
        var data = CommonOptions.Data();
        var command = new Command(
            "policy",
            $"Mint a policy token for an action template from {SecretVariable} and print it alone on the last line of stdout.")
        {
            tenant, actor, action, scopes, ttl, data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            // The configuration refuses a short secret, naming it (AUTHZ-4).
            var secret = ServerOptions.Load(cli, parse.GetValue(data), urls: null).PolicyTokenSecret;
            if (string.IsNullOrWhiteSpace(secret))
            {
                throw new CliFailure($"{SecretVariable} is not set; it must hold the servers' policy token secret.");
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

            await using var session = await OperatorSession.OpenAsync(cli, parse.GetValue(data), ct);
            var owner = await session.Store.FindTenantByNameAsync(tenantName, ct)
                ?? throw new NotFoundException($"There is no tenant '{tenantName}'.");
            var claims = PolicyToken.NewClaims(owner.Name, who, template, granted, DateTimeOffset.UtcNow, lifetime);
            var token = PolicyToken.Mint(new PolicyTokenSecrets(secret), claims);
            // Recorded before the token is shown: no token exists that the audit log does not know of.
            await session.Store.AppendAuditAsync(
                new AuditEntry
                {
                    At = DateTimeOffset.UtcNow,
                    TenantId = owner.Id,
                    Actor = "operator",
                    Action = "policy_token.issue",
                    Target = claims.TokenId,
                    Outcome = "success",
                    DetailJson = JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["jti"] = claims.TokenId,
                        ["actor"] = claims.Actor,
                        ["action"] = claims.Action,
                        ["scopes"] = claims.Scopes,
                        ["expires_at"] = claims.ExpiresAt,
                        ["via"] = "cli",
                    }),
                },
                ct);
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
