using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Bulwark.Server.Auth.Mtls;

/// <summary>
/// TLS on the https <c>BULWARK_URLS</c> when Bulwark terminates it itself (AUTH-4, NET-4): the
/// server certificate from PEM files, TLS 1.2 or 1.3 (the handshake picks the newest both sides
/// speak, so 1.3 wherever the client has it; 1.1 and older are refused), and, with a client CA configured, client
/// certificates asked for but not demanded, so API keys and tokens keep working on the same port.
/// </summary>
internal static class MtlsTransport
{
    /// <summary>How an https listener is set up; null when no server certificate is configured.</summary>
    public static Action<ListenOptions>? HttpsFor(BulwarkOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.TlsCertificatePath))
        {
            return null;
        }

        var certificate = LoadServerCertificate(options);
        var askForClientCertificates = !string.IsNullOrWhiteSpace(options.MtlsClientCaPath);
        return listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = certificate,
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateMode = askForClientCertificates ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.NoCertificate,
            // Kestrel's own check would use the machine's roots and drop the connection without a
            // trace; MtlsAuthenticator checks against the configured CA only and audits a refusal.
            ClientCertificateValidation = (_, _, _) => true,
            CheckCertificateRevocation = false,
        });
    }

    private static X509Certificate2 LoadServerCertificate(BulwarkOptions options)
    {
        // Missing, unreadable or expired: one sentence naming the setting, before anything listens.
        using var pem = Transport.ServerCertificateFile.Load(options, DateTimeOffset.UtcNow);
        // An ephemeral PEM key cannot back a TLS server on every platform; a PKCS#12 round trip can.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
