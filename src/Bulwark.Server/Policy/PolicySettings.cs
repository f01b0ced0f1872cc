using Bulwark.Core.Tokens;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Policy;

/// <summary>The settings of action jobs and policy tokens, checked once at start (AUTHZ-3, AUTHZ-4, SEC-3).</summary>
internal static class PolicySettings
{
    public const string UnenforcedWarning =
        "WARNING: BULWARK_ACTION_JOBS_ENABLED=1 with BULWARK_REQUIRE_POLICY_TOKENS=0: action templates run "
        + "WITHOUT a policy token; any caller with the template's scope can start them. Turn policy tokens back on.";

    /// <summary>Throws <see cref="BulwarkSettingsException"/> naming the setting that is unsafe.</summary>
    public static void Validate(BulwarkOptions o)
    {
        var current = Normalise(o.PolicyTokenSecret);
        var previous = Normalise(o.PolicyTokenPreviousSecret);
        if (current is not null && !PolicyTokenSecrets.IsStrong(current))
        {
            throw new BulwarkSettingsException(
                $"BULWARK_POLICY_TOKEN_SECRET must be at least {PolicyToken.MinSecretLength} characters (it has {current.Length}).");
        }

        if (previous is not null && !PolicyTokenSecrets.IsStrong(previous))
        {
            throw new BulwarkSettingsException(
                $"BULWARK_POLICY_TOKEN_PREVIOUS_SECRET must be at least {PolicyToken.MinSecretLength} characters (it has {previous.Length}).");
        }

        if (previous is not null && current is null)
        {
            throw new BulwarkSettingsException(
                "BULWARK_POLICY_TOKEN_PREVIOUS_SECRET is set without BULWARK_POLICY_TOKEN_SECRET; set the new secret as well.");
        }

        if (o.ActionJobsEnabled && o.RequirePolicyTokens && current is null)
        {
            throw new BulwarkSettingsException(
                $"BULWARK_POLICY_TOKEN_SECRET must be set (at least {PolicyToken.MinSecretLength} characters) when "
                + "BULWARK_ACTION_JOBS_ENABLED=1 and BULWARK_REQUIRE_POLICY_TOKENS=1.");
        }

        if (o.RateLimitPolicyTokensPerHour is < 1 or > 100_000)
        {
            throw new BulwarkSettingsException("BULWARK_RATE_LIMIT_POLICY_TOKENS_PER_HOUR must be between 1 and 100000.");
        }
    }

    /// <summary>The configured secrets, or null when no policy secret is set.</summary>
    public static PolicyTokenSecrets? SecretsOf(BulwarkOptions o) =>
        Normalise(o.PolicyTokenSecret) is { } current ? new PolicyTokenSecrets(current, Normalise(o.PolicyTokenPreviousSecret)) : null;

    /// <summary>True when action templates would run without any policy token: said loudly at start.</summary>
    public static bool RunsActionsUnenforced(BulwarkOptions o) => o.ActionJobsEnabled && !o.RequirePolicyTokens;

    private static string? Normalise(string? secret) => string.IsNullOrWhiteSpace(secret) ? null : secret;
}
