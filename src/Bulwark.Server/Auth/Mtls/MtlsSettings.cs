using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Auth.Mtls;

/// <summary>Start-time checks of the TLS and mTLS settings (AUTH-4); each message names the setting.</summary>
internal static class MtlsSettings
{
    public static void Validate(BulwarkOptions o)
    {
        try
        {
            TrustedProxies.Parse(o.TrustedProxies);
        }
        catch (FormatException e)
        {
            throw new BulwarkSettingsException($"BULWARK_TRUSTED_PROXIES: {e.Message}");
        }

        Require(IsHeaderName(o.MtlsIdentityHeader), "BULWARK_MTLS_IDENTITY_HEADER must be an HTTP header name.");
        Require(string.IsNullOrEmpty(o.MtlsRolesHeader) || IsHeaderName(o.MtlsRolesHeader),
            "BULWARK_MTLS_ROLES_HEADER must be an HTTP header name.");

        var https = o.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        var hasCertificate = !string.IsNullOrWhiteSpace(o.TlsCertificatePath);
        Require(!https || hasCertificate, "BULWARK_URLS has an https:// address but BULWARK_TLS_CERTIFICATE_PATH is not set.");
        Require(hasCertificate || string.IsNullOrWhiteSpace(o.TlsCertificateKeyPath),
            "BULWARK_TLS_CERTIFICATE_KEY_PATH is set without BULWARK_TLS_CERTIFICATE_PATH.");
        Require(hasCertificate || string.IsNullOrWhiteSpace(o.MtlsClientCaPath),
            "BULWARK_MTLS_CLIENT_CA_PATH needs TLS: set BULWARK_TLS_CERTIFICATE_PATH and an https:// address in BULWARK_URLS.");
        if (hasCertificate)
        {
            try
            {
                var keyPath = string.IsNullOrWhiteSpace(o.TlsCertificateKeyPath) ? null : o.TlsCertificateKeyPath;
                using var certificate = X509Certificate2.CreateFromPemFile(o.TlsCertificatePath!, keyPath);
                Require(certificate.HasPrivateKey, "BULWARK_TLS_CERTIFICATE_PATH has no private key; set BULWARK_TLS_CERTIFICATE_KEY_PATH.");
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new BulwarkSettingsException(
                    $"BULWARK_TLS_CERTIFICATE_PATH / BULWARK_TLS_CERTIFICATE_KEY_PATH could not be loaded: {e.Message}");
            }
        }

        if (!string.IsNullOrWhiteSpace(o.MtlsClientCaPath))
        {
            try
            {
                ClientCertificateTrust.Load(o.MtlsClientCaPath, TimeProvider.System);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new BulwarkSettingsException($"BULWARK_MTLS_CLIENT_CA_PATH could not be loaded: {e.Message}");
            }
        }
    }

    private static bool IsHeaderName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new BulwarkSettingsException(message);
        }
    }
}
