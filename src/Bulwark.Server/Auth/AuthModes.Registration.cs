using Bulwark.Server.Auth.Jwt;
using Bulwark.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Auth;

/// <summary>Registers only the authenticators of the configured modes (AUTH-1); mTLS registers its own.</summary>
internal static class AuthModeRegistration
{
    public const string NoneWarning =
        "WARNING: BULWARK_AUTH_MODE=none: every request is the 'default' tenant's ADMIN, with no credential. "
        + "Loopback and development only; never expose this server.";

    public static IServiceCollection AddAuthModes(this IServiceCollection services, BulwarkOptions options)
    {
        var modes = AuthModes.Parse(options.AuthMode)
            ?? throw new BulwarkSettingsException(AuthModes.FirstProblem(options) ?? "BULWARK_AUTH_MODE is invalid.");
        if (modes.ApiKey)
        {
            services.AddSingleton<ICredentialAuthenticator, ApiKeyAuthenticator>();
        }

        if (modes.Jwt)
        {
            var settings = JwtSettings.From(options);
            services.AddSingleton(settings);
            if (settings.JwksUrl is { } url)
            {
                services.AddSingleton(sp => new JwksKeySource(
                    url,
                    settings.JwksCacheTtl,
                    settings.JwksRefetchFloor,
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<JwksKeySource>>()));
            }

            services.AddSingleton<ICredentialAuthenticator>(sp => new JwtAuthenticator(
                settings,
                sp.GetRequiredService<Core.Storage.IBulwarkStore>(),
                sp.GetRequiredService<Audit.AuditTrail>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<JwtAuthenticator>>(),
                sp.GetRequiredService<Core.Identity.IRevocationCheck>(),
                sp.GetService<JwksKeySource>()));
        }

        if (modes.None)
        {
            services.AddSingleton<ICredentialAuthenticator, LoopbackAdminAuthenticator>();
        }

        return services;
    }
}
