using Bulwark.Server.Hosting;

namespace Bulwark.Server.Tests.Revocation;

/// <summary>BULWARK_REVOCATION_REFRESH_SECONDS: the bound on how late a revocation from another node holds here (AUTH-5).</summary>
public sealed class RevocationSettingsTests
{
    [Fact]
    public void Revocation_refresh_defaults_to_two_seconds_when_unset_AUTH_5()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>());

        Assert.Equal(2, options.RevocationRefreshSeconds);
    }

    [Fact]
    public void Revocation_refresh_binds_from_its_environment_variable_AUTH_5()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?> { ["BULWARK_REVOCATION_REFRESH_SECONDS"] = "5" });

        Assert.Equal(5, options.RevocationRefreshSeconds);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("61")]
    public void Revocation_refresh_is_refused_at_start_when_out_of_range_AUTH_5(string value)
    {
        var error = Assert.Throws<BulwarkSettingsException>(
            () => BulwarkConfiguration.Load(new Dictionary<string, string?> { ["BULWARK_REVOCATION_REFRESH_SECONDS"] = value }));

        Assert.Contains("BULWARK_REVOCATION_REFRESH_SECONDS", error.Message, StringComparison.Ordinal);
    }
}
