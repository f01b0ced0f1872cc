using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Bulwark.Core.Identity;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Audit;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Auth.Mtls;

/// <summary>
/// mTLS (AUTH-4), two ways. When Bulwark terminates TLS, the connection's client certificate,
/// checked against <c>BULWARK_MTLS_CLIENT_CA_PATH</c> only. Behind an ingress, the verified
/// subject it forwards in <c>BULWARK_MTLS_IDENTITY_HEADER</c>, believed only when the TCP peer is
/// inside <c>BULWARK_TRUSTED_PROXIES</c>. From any other peer the header is a forgery attempt:
/// it is ignored as if absent (so the caller's real credential still counts), never trusted,
/// and recorded as a security event. Either way <c>O</c> is the tenant and <c>CN</c> the subject.
/// </summary>
internal sealed class MtlsAuthenticator(
    BulwarkOptions options,
    IBulwarkStore store,
    AuditTrail audit,
    TimeProvider time,
    ILogger<MtlsAuthenticator> logger,
    IRevocationCheck? revocation = null) : ICredentialAuthenticator
{
    public const string Method = "mtls";
    public const string UntrustedHeaderAction = "auth.untrusted_identity_header";
    private const int MaxRoles = 32;

    private readonly TrustedProxies _proxies = TrustedProxies.Parse(options.TrustedProxies);

    private readonly ClientCertificateTrust? _trust = string.IsNullOrWhiteSpace(options.MtlsClientCaPath)
        ? null
        : ClientCertificateTrust.Load(options.MtlsClientCaPath, time);

    public async Task<AuthenticationOutcome> AuthenticateAsync(HttpContext http, CancellationToken ct)
    {
        if (_trust is not null && http.Connection.ClientCertificate is { } certificate)
        {
            return await FromCertificateAsync(certificate, ct);
        }

        var presented = http.Request.Headers[options.MtlsIdentityHeader];
        if (presented.Count == 0)
        {
            return AuthenticationOutcome.None;
        }

        if (!_proxies.Contains(http.Connection.RemoteIpAddress))
        {
            await RecordUntrustedHeaderAsync(http, presented.ToString(), ct);
            return AuthenticationOutcome.None;
        }

        // Two subject headers mean the ingress appended to a client's own instead of replacing it.
        if (presented.Count != 1 || !SubjectName.TryParse(presented[0], out var subject))
        {
            return new AuthenticationOutcome.Refused("malformed_client_subject", null, null);
        }

        return await AcceptAsync(subject!, RolesFromHeader(http), ct);
    }

    private async Task<AuthenticationOutcome> FromCertificateAsync(X509Certificate2 certificate, CancellationToken ct)
    {
        if (_trust!.Refusal(certificate) is { } reason)
        {
            return new AuthenticationOutcome.Refused(reason, null, "cert:" + certificate.Thumbprint);
        }

        if (!SubjectName.TryFrom(certificate.SubjectName, out var subject))
        {
            return new AuthenticationOutcome.Refused("malformed_client_subject", null, "cert:" + certificate.Thumbprint);
        }

        return await AcceptAsync(subject!, subject!.OrganizationalUnits.Take(MaxRoles).ToArray(), ct);
    }

    private async Task<AuthenticationOutcome> AcceptAsync(SubjectName subject, IReadOnlyList<string> roles, CancellationToken ct)
    {
        var credential = "mtls:" + subject.CommonName;
        var tenant = await store.FindTenantByNameAsync(subject.Organization, ct);
        if (tenant is null || tenant.Suspended)
        {
            return new AuthenticationOutcome.Refused("tenant_unavailable", tenant?.Id, credential);
        }

        if (revocation?.IsRevoked(tenant.Id, subject.CommonName, null, null) == true)
        {
            return new AuthenticationOutcome.Refused("revoked_subject", tenant.Id, credential);
        }

        return new AuthenticationOutcome.Succeeded(
            new Principal(TenantScope.Of(tenant), subject.CommonName, Method, roles, options.RoleScopes.Effective([], roles)));
    }

    private string[] RolesFromHeader(HttpContext http)
    {
        if (string.IsNullOrEmpty(options.MtlsRolesHeader))
        {
            return [];
        }

        return http.Request.Headers[options.MtlsRolesHeader].ToString()
            .Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(role => role.Length <= 64 && role.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            .Distinct(StringComparer.Ordinal)
            .Take(MaxRoles)
            .ToArray();
    }

    private async Task RecordUntrustedHeaderAsync(HttpContext http, string claimed, CancellationToken ct)
    {
        var remote = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // The value is the attacker's text: bounded, and only ever serialised, never parsed for trust.
        claimed = claimed.Length > 256 ? claimed[..256] : claimed;
        MtlsLog.UntrustedIdentityHeader(logger, options.MtlsIdentityHeader, remote, claimed);
        var detail = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["reason"] = "peer_not_a_trusted_proxy",
            ["remote"] = remote,
            ["path"] = http.Request.Path.Value,
            ["header"] = options.MtlsIdentityHeader,
            ["claimed_subject"] = claimed,
        });
        await audit.RecordAsync(
            audit.Entry(http, null, "anonymous", UntrustedHeaderAction, http.Request.Path.Value, "ignored", detail),
            ct);
    }
}
