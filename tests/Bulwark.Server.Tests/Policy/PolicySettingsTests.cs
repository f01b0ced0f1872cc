using Bulwark.Server.Hosting;

namespace Bulwark.Server.Tests.Policy;

/// <summary>AUTHZ-4, SEC-3: the server refuses to start with an unsafe policy-token configuration, naming the setting.</summary>
public sealed class PolicySettingsTests
{
    private const string Strong = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void Defaults_keep_action_jobs_off_and_policy_tokens_required()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>());

        Assert.False(options.ActionJobsEnabled);
        Assert.True(options.RequirePolicyTokens);
        Assert.Null(options.PolicyTokenSecret);
        Assert.Equal(50, options.RateLimitPolicyTokensPerHour);
    }

    [Fact]
    public void Environment_names_bind_to_the_policy_options()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_ACTION_JOBS_ENABLED"] = "1",
            ["BULWARK_REQUIRE_POLICY_TOKENS"] = "1",
            ["BULWARK_POLICY_TOKEN_SECRET"] = Strong,
            ["BULWARK_POLICY_TOKEN_PREVIOUS_SECRET"] = Strong + "-old",
            ["BULWARK_RATE_LIMIT_POLICY_TOKENS_PER_HOUR"] = "20",
        });

        Assert.True(options.ActionJobsEnabled);
        Assert.Equal(Strong, options.PolicyTokenSecret);
        Assert.Equal(Strong + "-old", options.PolicyTokenPreviousSecret);
        Assert.Equal(20, options.RateLimitPolicyTokensPerHour);
    }

    [Theory]
    [InlineData(null, null, "BULWARK_POLICY_TOKEN_SECRET")]
    [InlineData("   ", null, "BULWARK_POLICY_TOKEN_SECRET")]
    [InlineData("0123456789abcdef0123456789abcde", null, "BULWARK_POLICY_TOKEN_SECRET")] // 31 characters
    [InlineData(Strong, "too-short", "BULWARK_POLICY_TOKEN_PREVIOUS_SECRET")]
    public void Start_is_refused_naming_the_secret_when_action_jobs_need_tokens_and_a_secret_is_missing_or_short(
        string? secret, string? previous, string named)
    {
        var env = new Dictionary<string, string?>
        {
            ["BULWARK_ACTION_JOBS_ENABLED"] = "1",
            ["BULWARK_POLICY_TOKEN_SECRET"] = secret,
            ["BULWARK_POLICY_TOKEN_PREVIOUS_SECRET"] = previous,
        };

        var error = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(env));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Equal("invalid_setting", error.Code);
    }

    [Theory]
    [InlineData("BULWARK_POLICY_TOKEN_SECRET", "short")]
    [InlineData("BULWARK_POLICY_TOKEN_PREVIOUS_SECRET", "short")]
    [InlineData("BULWARK_RATE_LIMIT_POLICY_TOKENS_PER_HOUR", "0")]
    public void Start_is_refused_naming_the_setting_even_when_action_jobs_are_off(string name, string value)
    {
        var env = new Dictionary<string, string?> { [name] = value };
        if (name == "BULWARK_POLICY_TOKEN_PREVIOUS_SECRET")
        {
            env["BULWARK_POLICY_TOKEN_SECRET"] = Strong;
        }

        var error = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(env));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_is_refused_when_a_previous_secret_is_set_without_a_current_one()
    {
        var error = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(
            new Dictionary<string, string?> { ["BULWARK_POLICY_TOKEN_PREVIOUS_SECRET"] = Strong }));

        Assert.Contains("BULWARK_POLICY_TOKEN_SECRET", error.Message, StringComparison.Ordinal);
    }

    [Fact] // AUTHZ-4: allowed, and warned at start (PolicyTokenEnforcementTests shows the warning)
    public void Action_jobs_without_required_tokens_load_without_a_secret()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_ACTION_JOBS_ENABLED"] = "1",
            ["BULWARK_REQUIRE_POLICY_TOKENS"] = "0",
        });

        Assert.True(options.ActionJobsEnabled);
        Assert.False(options.RequirePolicyTokens);
    }

    [Fact] // AUTHZ-4: the server itself refuses, before it creates anything
    public async Task Server_refuses_to_start_when_action_jobs_need_tokens_and_the_secret_is_short()
    {
        var options = new BulwarkOptions
        {
            DataDir = Path.Combine(Path.GetTempPath(), $"bulwark-{Guid.NewGuid():N}"),
            ActionJobsEnabled = true,
            PolicyTokenSecret = "short",
        };

        var error = await Assert.ThrowsAsync<BulwarkSettingsException>(() => BulwarkServer.StartAsync(options, TextWriter.Null, CancellationToken.None));

        Assert.Contains("BULWARK_POLICY_TOKEN_SECRET", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(options.DataDir));
    }
}
