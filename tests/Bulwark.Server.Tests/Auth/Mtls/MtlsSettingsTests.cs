using Bulwark.Server.Hosting;

namespace Bulwark.Server.Tests.Auth.Mtls;

/// <summary>The AUTH-4 settings bind from their documented names and are checked before start, naming the setting.</summary>
public sealed class MtlsSettingsTests
{
    [Fact]
    public void Settings_bind_from_their_environment_names()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_AUTH_MODE"] = "api_key,mtls",
            ["BULWARK_TRUSTED_PROXIES"] = "10.0.0.0/8, fd00::/8",
            ["BULWARK_MTLS_IDENTITY_HEADER"] = "x-client-dn",
            ["BULWARK_MTLS_ROLES_HEADER"] = "x-client-roles",
        });

        Assert.Equal(("10.0.0.0/8, fd00::/8", "x-client-dn", "x-client-roles"),
            (options.TrustedProxies, options.MtlsIdentityHeader, options.MtlsRolesHeader));
        Assert.True(Bulwark.Server.Auth.Mtls.MtlsRegistration.Enabled(options));
        Assert.False(Bulwark.Server.Auth.Mtls.MtlsRegistration.Enabled(BulwarkConfiguration.Load(new Dictionary<string, string?>())));
    }

    [Theory]
    [InlineData("BULWARK_TRUSTED_PROXIES", "10.0.0.0/8, ingress.internal", "BULWARK_TRUSTED_PROXIES")]
    [InlineData("BULWARK_TRUSTED_PROXIES", "10.0.0.0/33", "BULWARK_TRUSTED_PROXIES")]
    [InlineData("BULWARK_MTLS_IDENTITY_HEADER", "x ssl: subject", "BULWARK_MTLS_IDENTITY_HEADER")]
    [InlineData("BULWARK_URLS", "https://127.0.0.1:8443", "BULWARK_TLS_CERTIFICATE_PATH")]
    [InlineData("BULWARK_MTLS_CLIENT_CA_PATH", "/etc/ca.pem", "BULWARK_TLS_CERTIFICATE_PATH")]
    [InlineData("BULWARK_TLS_CERTIFICATE_PATH", "/nonexistent/server.pem", "BULWARK_TLS_CERTIFICATE_PATH")]
    public void Server_refuses_to_start_naming_the_setting_when_it_is_bad(string name, string value, string named)
    {
        var e = Assert.Throws<BulwarkSettingsException>(() =>
            BulwarkConfiguration.Load(new Dictionary<string, string?> { [name] = value }));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }
}
