using Bulwark.Server.Hosting;

namespace Bulwark.Server.Auth.Mtls;

/// <summary>mTLS is a credential only when <c>BULWARK_AUTH_MODE</c> names it (AUTH-1).</summary>
internal static class MtlsRegistration
{
    public static bool Enabled(BulwarkOptions options) => AuthModes.Parse(options.AuthMode)?.Mtls == true;
}
