using System.Globalization;

namespace Bulwark.Core.Egress;

/// <summary>
/// One spelling per host, so a pattern and a URL compare as the resolver sees them: ASCII
/// (punycode for IDN), lower case, without the root's trailing dot (<c>Api.Example.COM.</c> is
/// <c>api.example.com</c>).
/// </summary>
public static class HostNames
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>The canonical form of a DNS name, or null when it is not one.</summary>
    public static string? Normalize(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        var name = host.EndsWith('.') ? host[..^1] : host;
        if (name.Length == 0 || name.EndsWith('.'))
        {
            return null;
        }

        try
        {
            return Idn.GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Names that only ever lead inside: the loopback name and the cloud metadata services' names
    /// (the addresses are denied too; the names are refused before any lookup is made).
    /// </summary>
    public static bool IsInternalName(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        return normalized is "localhost" or "metadata" or "metadata.google.internal" or "metadata.goog"
                   or "instance-data" or "instance-data.ec2.internal" or "metadata.azure.com" or "metadata.tencentyun.com"
               || normalized.EndsWith(".localhost", StringComparison.Ordinal);
    }
}
