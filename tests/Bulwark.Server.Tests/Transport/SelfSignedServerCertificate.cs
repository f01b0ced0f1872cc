using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bulwark.Server.Tests.Transport;

/// <summary>
/// A self-signed server certificate for 127.0.0.1, made by the test and written as PEM to a temp
/// dir (no key is ever committed). The client trusts exactly this certificate.
/// </summary>
internal sealed class SelfSignedServerCertificate : IDisposable
{
    public SelfSignedServerCertificate(DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "bulwark-tls-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        Certificate = request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(1));
        CertificatePath = Path.Combine(Directory, "server.pem");
        KeyPath = Path.Combine(Directory, "server.key");
        File.WriteAllText(CertificatePath, Certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public string Directory { get; }
    public X509Certificate2 Certificate { get; }
    public string CertificatePath { get; }
    public string KeyPath { get; }

    /// <summary>Accepts exactly this certificate, as a client pinning its server would.</summary>
    public bool IsThisCertificate(X509Certificate? presented) =>
        presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString();

    public HttpClient Client(Uri baseAddress) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) => IsThisCertificate(presented),
        },
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public void Dispose()
    {
        Certificate.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp dir.
        }
    }
}
