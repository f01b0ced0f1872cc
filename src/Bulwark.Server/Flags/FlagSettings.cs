using Bulwark.Server.Hosting;

namespace Bulwark.Server.Flags;

/// <summary>The flag settings of FLAG-1 and FLAG-2, checked once at start.</summary>
internal static class FlagSettings
{
    /// <summary>Throws <see cref="BulwarkSettingsException"/> naming the first bad setting.</summary>
    public static void Validate(BulwarkOptions o)
    {
        // FLAG-2: the bound on how long a flag turned off elsewhere takes to hold on this node.
        if (o.FlagsRefreshSeconds is < 1 or > 60)
        {
            throw new BulwarkSettingsException("BULWARK_FLAGS_REFRESH_SECONDS must be between 1 and 60.");
        }

        // NET-2: payload validation is a guard; switching it off is a development convenience only.
        if (!o.SecurityValidationEnabled && o.Env != "dev")
        {
            throw new BulwarkSettingsException(
                $"BULWARK_SECURITY_VALIDATION_ENABLED=0 is allowed only with BULWARK_ENV=dev (this is '{o.Env}').");
        }
    }
}
