using System.Globalization;
using Bulwark.Core.Egress;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Egress;

/// <summary>The egress guard's settings (NET-1), checked once at start.</summary>
internal static class EgressSettings
{
    /// <summary>Throws <see cref="BulwarkSettingsException"/> naming the first bad setting.</summary>
    public static void Validate(BulwarkOptions o)
    {
        _ = Ports(o);
        if (o.EgressMaxResponseBytes is < 1 or > 64L * 1024 * 1024)
        {
            throw new BulwarkSettingsException("BULWARK_EGRESS_MAX_RESPONSE_BYTES must be between 1 and 67108864.");
        }

        if (o.EgressTimeoutSeconds is < 1 or > 300)
        {
            throw new BulwarkSettingsException("BULWARK_EGRESS_TIMEOUT_SECONDS must be between 1 and 300.");
        }

        // Loopback is the node itself and every service bound to it: reachable only on a developer's machine.
        if (o.EgressAllowLoopback && o.Env != "dev")
        {
            throw new BulwarkSettingsException(
                $"BULWARK_EGRESS_ALLOW_LOOPBACK=1 lets jobs reach this host's own services and is allowed only with BULWARK_ENV=dev (this is '{o.Env}').");
        }
    }

    public static EgressRules Rules(BulwarkOptions o) => new() { AllowedPorts = Ports(o), AllowLoopback = o.EgressAllowLoopback };

    private static int[] Ports(BulwarkOptions o)
    {
        var ports = new List<int>();
        foreach (var part in (o.EgressAllowedPorts ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new BulwarkSettingsException($"BULWARK_EGRESS_ALLOWED_PORTS holds '{part}', which is not a port (1-65535).");
            }

            ports.Add(port);
        }

        return ports.Count > 0
            ? [.. ports.Distinct()]
            : throw new BulwarkSettingsException("BULWARK_EGRESS_ALLOWED_PORTS must name at least one port.");
    }
}
