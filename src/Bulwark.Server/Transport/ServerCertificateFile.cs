using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Transport;

/// <summary>
/// The server certificate of the https listeners (NET-4), read from the PEM files of
/// <c>BULWARK_TLS_CERTIFICATE_PATH</c> / <c>BULWARK_TLS_CERTIFICATE_KEY_PATH</c>. A missing,
/// unreadable or expired file is one sentence naming the setting, at start and in <c>bulwark doctor</c>.
/// </summary>
public static class ServerCertificateFile
{
    /// <summary>
    /// Loads the certificate with its key; throws <see cref="BulwarkSettingsException"/> when it cannot
    /// be used at <paramref name="now"/>. The caller disposes the result.
    /// </summary>
    public static X509Certificate2 Load(BulwarkOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.TlsCertificatePath;
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new BulwarkSettingsException("BULWARK_TLS_CERTIFICATE_PATH is not set.");
        }

        var keyPath = string.IsNullOrWhiteSpace(options.TlsCertificateKeyPath) ? null : options.TlsCertificateKeyPath;
        if (!File.Exists(path) || (keyPath is not null && !File.Exists(keyPath)))
        {
            throw new BulwarkSettingsException(
                $"BULWARK_TLS_CERTIFICATE_PATH / BULWARK_TLS_CERTIFICATE_KEY_PATH names '{(File.Exists(path) ? keyPath : path)}', which does not exist.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(path, keyPath);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The library's own text is several sentences at times; the operator needs which file and what to do.
            throw new BulwarkSettingsException(
                "BULWARK_TLS_CERTIFICATE_PATH / BULWARK_TLS_CERTIFICATE_KEY_PATH could not be read as a PEM certificate and private key.");
        }

        try
        {
            if (!certificate.HasPrivateKey)
            {
                throw new BulwarkSettingsException("BULWARK_TLS_CERTIFICATE_PATH has no private key; set BULWARK_TLS_CERTIFICATE_KEY_PATH.");
            }

            if (certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime)
            {
                throw new BulwarkSettingsException(
                    $"The certificate in BULWARK_TLS_CERTIFICATE_PATH expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC; renew it.");
            }

            if (certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
            {
                throw new BulwarkSettingsException(
                    $"The certificate in BULWARK_TLS_CERTIFICATE_PATH is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC.");
            }

            return certificate;
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }
}
