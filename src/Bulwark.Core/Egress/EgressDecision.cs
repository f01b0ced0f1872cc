using System.Net;

namespace Bulwark.Core.Egress;

/// <summary>
/// What the guard decided about one URL (NET-1). Allowed, it carries the checked addresses the
/// connection must go to; refused, a code, a reason for the audit trail and a message for the
/// caller that names the host but not what it resolved to.
/// </summary>
public sealed record EgressDecision
{
    public const string DeniedCode = "egress_denied";
    public const string FailedCode = "egress_failed";

    public required bool Allowed { get; init; }
    /// <summary>The URL as parsed; null when it could not be.</summary>
    public Uri? Uri { get; init; }
    /// <summary>The host as compared and resolved (canonical name or IP literal).</summary>
    public string Host { get; init; } = "";
    public int Port { get; init; }
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];
    /// <summary><c>egress_denied</c>, or <c>egress_failed</c> when the name did not resolve.</summary>
    public string? Code { get; init; }
    /// <summary>For the audit trail: <c>scheme</c>, <c>port</c>, <c>userinfo</c>, <c>not_allowed</c>, <c>loopback</c>…</summary>
    public string? Reason { get; init; }
    public string? Message { get; init; }

    /// <summary><c>scheme://host:port/path</c>: what the audit trail records (no user info, no query).</summary>
    public string Target => Uri is null ? "(invalid url)" : TargetOf(Uri);

    public static string TargetOf(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return $"{uri.Scheme}://{uri.Host}:{uri.Port}{uri.AbsolutePath}";
    }
}
