using System.Net;

namespace Bulwark.Core.Egress;

/// <summary>
/// One entry of a tenant's allow-list: an exact host (<c>api.example.com</c>, or an IP literal),
/// <c>*.example.com</c> for any name below example.com (not example.com itself, and never
/// <c>evil-example.com</c>), or <c>*</c> for any host. Deny ranges apply whatever matches.
/// </summary>
public sealed class HostPattern
{
    private readonly string _host;
    private readonly bool _subdomains;

    private HostPattern(string host, bool subdomains)
    {
        _host = host;
        _subdomains = subdomains;
    }

    public override string ToString() => _subdomains ? (_host.Length == 0 ? "*" : "*." + _host) : _host;

    /// <exception cref="FormatException">Not a host, <c>*.host</c> or <c>*</c>.</exception>
    public static HostPattern Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed == "*")
        {
            return new HostPattern("", subdomains: true);
        }

        var subdomains = trimmed.StartsWith("*.", StringComparison.Ordinal);
        var host = subdomains ? trimmed[2..] : trimmed;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal) && !subdomains)
        {
            return new HostPattern(literal.ToString(), subdomains: false);
        }

        var normalized = HostNames.Normalize(host);
        if (normalized is null || normalized.Contains('*', StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' is not a host pattern (host, *.host or *).");
        }

        return new HostPattern(normalized, subdomains);
    }

    /// <param name="host">A host as <see cref="HostNames.Normalize"/> or <see cref="IPAddress.ToString"/> spells it.</param>
    public bool Matches(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (!_subdomains)
        {
            return string.Equals(host, _host, StringComparison.Ordinal);
        }

        return _host.Length == 0
               || (host.Length > _host.Length + 1
                   && host.EndsWith(_host, StringComparison.Ordinal)
                   && host[host.Length - _host.Length - 1] == '.');
    }
}
